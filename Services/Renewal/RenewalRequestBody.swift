import Foundation
import SignPeerCore

/// The body of a renewal request, read strictly: an empty body or an absent key means
/// `renewKeys: false`, but an explicit `"renewKeys": null` (or any non-boolean) is a 400, not a
/// silent default.
struct RenewalRequestBody: Decodable {
    let renewKeys: Bool

    private enum CodingKeys: String, CodingKey { case renewKeys }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard container.contains(.renewKeys) else {
            renewKeys = false
            return
        }
        guard !(try container.decodeNil(forKey: .renewKeys)) else {
            throw SignPeerError.invalidRequest("renewKeys must be true or false, not null.")
        }
        renewKeys = try container.decode(Bool.self, forKey: .renewKeys)
    }

    static func renewKeys(from body: [UInt8]) throws -> Bool {
        guard !body.isEmpty else { return false }
        do {
            return try JSONDecoder().decode(RenewalRequestBody.self, from: Data(body)).renewKeys
        } catch let error as SignPeerError {
            throw error
        } catch {
            throw SignPeerError.invalidRequest("The renewal body must be a JSON object with a boolean renewKeys.")
        }
    }
}
