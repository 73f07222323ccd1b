import SignPeerCore

/// The OpenAPI 3.1 description of Peer API v1 (SPEC §8), served at `GET /peer/v1/openapi.json`.
/// Kept next to the routes it describes; a test validates it with an OpenAPI validator.
enum PeerOpenAPI {
    static let document = #"""
        {
          "openapi": "3.1.0",
          "info": {
            "title": "SignPeer Peer API",
            "version": "\#(ProductVersion.current)",
            "description": "Remote key bindings of a signer, for a Certificate Authority connecting over mutual TLS. Every call needs a client certificate trusted by the gateway and authorized to the Peer System role, and PEERS_INCOMING_ENABLED=true. Every error has the Error body with a stable code. A method other than the documented one on an existing path answers 405 method_not_allowed; a request head over the limits 431 request_header_too_large; a body over 1 MiB 413 request_too_large (before it is read); a request body of another media type 415 unsupported_media_type."
          },
          "servers": [{"url": "/"}],
          "paths": {
            "/peer/v1/ping": {
              "get": {
                "operationId": "ping",
                "summary": "Check the connection; records it in the incoming-connection registry.",
                "responses": {
                  "200": {"description": "Alive", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Ping"}}}},
                  "400": {"$ref": "#/components/responses/Error"},
                  "401": {"$ref": "#/components/responses/Error"},
                  "403": {"$ref": "#/components/responses/Error"},
                  "405": {"$ref": "#/components/responses/Error"},
                  "431": {"$ref": "#/components/responses/Error"},
                  "503": {"$ref": "#/components/responses/Error"}
                }
              }
            },
            "/peer/v1/keybindings": {
              "get": {
                "operationId": "listKeyBindings",
                "summary": "List the exposed workers as key bindings, ordered by id.",
                "responses": {
                  "200": {"description": "The bindings", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/KeyBindingList"}}}},
                  "400": {"$ref": "#/components/responses/Error"},
                  "401": {"$ref": "#/components/responses/Error"},
                  "403": {"$ref": "#/components/responses/Error"},
                  "405": {"$ref": "#/components/responses/Error"},
                  "431": {"$ref": "#/components/responses/Error"},
                  "503": {"$ref": "#/components/responses/Error"}
                }
              }
            },
            "/peer/v1/keybindings/{id}": {
              "parameters": [{"$ref": "#/components/parameters/Id"}],
              "get": {
                "operationId": "getKeyBinding",
                "summary": "One binding, with its certificate chain when it was issued by a peer.",
                "responses": {
                  "200": {"description": "The binding", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/KeyBinding"}}}},
                  "400": {"$ref": "#/components/responses/Error"},
                  "401": {"$ref": "#/components/responses/Error"},
                  "403": {"$ref": "#/components/responses/Error"},
                  "404": {"$ref": "#/components/responses/Error"},
                  "405": {"$ref": "#/components/responses/Error"},
                  "431": {"$ref": "#/components/responses/Error"},
                  "503": {"$ref": "#/components/responses/Error"}
                }
              }
            },
            "/peer/v1/keybindings/{id}/renewal": {
              "parameters": [{"$ref": "#/components/parameters/Id"}],
              "post": {
                "operationId": "prepareRenewal",
                "summary": "Optionally generate the next key, and return a PKCS#10 request for it.",
                "requestBody": {"required": false, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RenewalRequest"}}}},
                "responses": {
                  "200": {"description": "The request", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RenewalResponse"}}}},
                  "400": {"$ref": "#/components/responses/Error"},
                  "401": {"$ref": "#/components/responses/Error"},
                  "403": {"$ref": "#/components/responses/Error"},
                  "404": {"$ref": "#/components/responses/Error"},
                  "405": {"$ref": "#/components/responses/Error"},
                  "409": {"$ref": "#/components/responses/Error"},
                  "413": {"$ref": "#/components/responses/Error"},
                  "415": {"$ref": "#/components/responses/Error"},
                  "431": {"$ref": "#/components/responses/Error"},
                  "503": {"$ref": "#/components/responses/Error"}
                }
              }
            },
            "/peer/v1/keybindings/{id}/certificate": {
              "parameters": [{"$ref": "#/components/parameters/Id"}],
              "put": {
                "operationId": "installCertificate",
                "summary": "Install the issued certificate (PEM chain, leaf first, or one DER certificate).",
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/pem-certificate-chain": {"schema": {"type": "string"}},
                    "application/pkix-cert": {"schema": {"type": "string", "contentEncoding": "binary"}}
                  }
                },
                "responses": {
                  "200": {"description": "The updated binding", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/KeyBinding"}}}},
                  "400": {"$ref": "#/components/responses/Error"},
                  "401": {"$ref": "#/components/responses/Error"},
                  "403": {"$ref": "#/components/responses/Error"},
                  "404": {"$ref": "#/components/responses/Error"},
                  "405": {"$ref": "#/components/responses/Error"},
                  "409": {"$ref": "#/components/responses/Error"},
                  "413": {"$ref": "#/components/responses/Error"},
                  "415": {"$ref": "#/components/responses/Error"},
                  "431": {"$ref": "#/components/responses/Error"},
                  "503": {"$ref": "#/components/responses/Error"}
                }
              }
            }
          },
          "components": {
            "parameters": {
              "Id": {
                "name": "id", "in": "path", "required": true,
                "description": "A key binding (worker) id: a decimal integer from 1 to 2147483647 (2^31-1), without sign or leading zeros; anything else is 400 invalid_request.",
                "schema": {"type": "integer", "minimum": 1, "maximum": 2147483647}
              }
            },
            "responses": {
              "Error": {"description": "An error with a stable code", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            },
            "schemas": {
              "Ping": {
                "type": "object", "required": ["status", "version"],
                "properties": {"status": {"const": "ALLOK"}, "version": {"type": "string"}}
              },
              "KeyBindingList": {
                "type": "object", "required": ["keyBindings"],
                "properties": {"keyBindings": {"type": "array", "items": {"$ref": "#/components/schemas/KeyBinding"}}}
              },
              "KeyBinding": {
                "type": "object",
                "required": ["type", "id", "name", "status", "cryptoTokenId", "cryptoTokenName", "cryptoTokenActive", "keyAlias", "nextKeyAlias", "keyAlgorithm", "keySpecification", "subjectKeyId", "certificateFingerprint", "certificateFingerprintSha256", "certificateNotAfter"],
                "properties": {
                  "type": {"const": "AuthenticationKeyBinding"},
                  "id": {"type": "integer"},
                  "name": {"type": "string"},
                  "status": {"enum": ["ACTIVE", "DISABLED"]},
                  "cryptoTokenId": {"type": "integer"},
                  "cryptoTokenName": {"type": "string"},
                  "cryptoTokenActive": {"type": "boolean"},
                  "keyAlias": {"type": ["string", "null"]},
                  "nextKeyAlias": {"type": ["string", "null"]},
                  "keyAlgorithm": {"type": ["string", "null"], "examples": ["RSA", "EC", "Ed25519"]},
                  "keySpecification": {"type": ["string", "null"], "examples": ["2048", "secp256r1"]},
                  "subjectKeyId": {"type": ["string", "null"], "description": "Lower-case hex SHA-1 of the subjectPublicKey bits (RFC 5280 method 1)."},
                  "certificateFingerprint": {"type": ["string", "null"], "description": "Lower-case hex SHA-1 of the signer certificate's DER, when PEERS_ISSUED is true."},
                  "certificateFingerprintSha256": {"type": ["string", "null"]},
                  "certificateNotAfter": {"type": ["string", "null"], "format": "date-time"},
                  "certificateChain": {"type": "string", "description": "PEM, leaf first; only for one binding when PEERS_ISSUED is true."}
                }
              },
              "RenewalRequest": {
                "type": "object", "properties": {"renewKeys": {"type": "boolean", "default": false}}
              },
              "RenewalResponse": {
                "type": "object", "required": ["id", "keysRenewed", "keyAlias", "csr"],
                "properties": {
                  "id": {"type": "integer"}, "keysRenewed": {"type": "boolean"},
                  "keyAlias": {"type": "string"}, "csr": {"type": "string", "description": "PKCS#10, PEM"}
                }
              },
              "Error": {
                "type": "object", "required": ["error"],
                "properties": {
                  "error": {
                    "type": "object", "required": ["code", "message"],
                    "properties": {"code": {"type": "string"}, "message": {"type": "string"}}
                  }
                }
              }
            }
          }
        }
        """#
}
