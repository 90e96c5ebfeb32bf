internal import CCryptoLoader
internal import FeedwatchCore

/// Signatures as the Standard Webhooks specification defines them: `webhook-signature` is
/// `v1,` + base64(HMAC-SHA256(key, "id.timestamp.body")), the key being the base64 after `whsec_`
/// in the secret. HMAC comes from the system's OpenSSL (`CCryptoLoader`); only base64 is ours.
public enum StandardWebhooks {
    public struct SecretError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The key bytes of a `whsec_…` secret (the prefix is optional, as in the reference libraries).
    public static func key(fromSecret secret: String) throws(SecretError) -> [UInt8] {
        let encoded = secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret
        guard let key = Base64.decode(encoded), !key.isEmpty else {
            throw SecretError(description: "the webhook secret is not whsec_ followed by base64")
        }
        return key
    }

    /// The `webhook-signature` header value.
    public static func signature(key: [UInt8], id: String, timestamp: Int64, body: [UInt8]) throws(SecretError) -> String {
        let signed = Array("\(id).\(timestamp).".utf8) + body
        var mac = [UInt8](repeating: 0, count: 32)
        let problem = key.withUnsafeBytes { k in
            signed.withUnsafeBytes { d in
                mac.withUnsafeMutableBufferPointer { fw_hmac_sha256(k.baseAddress, k.count, d.baseAddress, d.count, $0.baseAddress) }
            }
        }
        if let problem { throw SecretError(description: String(cString: problem)) }
        return "v1," + Base64.encode(mac)
    }
}
