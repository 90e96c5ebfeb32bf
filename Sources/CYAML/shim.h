#ifndef FEEDWATCH_CYAML_SHIM_H
#define FEEDWATCH_CYAML_SHIM_H
/* libyaml's event parser (Debian: libyaml-dev), for the config reader. */
#include <yaml.h>
#endif
