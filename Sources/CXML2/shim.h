#ifndef FEEDWATCH_CXML2_SHIM_H
#define FEEDWATCH_CXML2_SHIM_H

/* Debian's libxml2 headers pull in ICU, which clashes with the ICU that Foundation bundles.
   Feedwatch never uses libxml2's ICU entry points, so hide them before anything else is read. */
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/HTMLparser.h>
#include <libxml/entities.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>

/* xmlFree is a global function-pointer variable, which Swift 6 treats as shared mutable state. */
static inline void fw_xml_free(void *p) { xmlFree(p); }

/* An external-entity loader that loads nothing: no file, no network, ever. */
static xmlParserInputPtr fw_no_external_entity(const char *url, const char *id, xmlParserCtxtPtr ctxt) {
    (void)url; (void)id; (void)ctxt;
    return NULL;
}
static inline void fw_install_null_entity_loader(void) {
    xmlSetExternalEntityLoader(fw_no_external_entity);
}

#endif
