// swift-tools-version:6.2
import PackageDescription

/// Every target is compiled in Swift 6 language mode with strict concurrency checking.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "signpeer",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "signpeer-gateway", targets: ["SignPeerGateway"]),
        .executable(name: "signpeer-keybindings", targets: ["SignPeerKeyBindings"]),
        .executable(name: "signpeer-renewal", targets: ["SignPeerRenewal"]),
        .executable(name: "signpeer", targets: ["SignPeerCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0", traits: []),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        // MARK: C system libraries and the shim for what Swift cannot import

        .systemLibrary(
            name: "CLibPQ", path: "Shared/CLibPQ", pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]),
        .systemLibrary(
            name: "CCurl", path: "Shared/CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(
            name: "COpenSSL", path: "Shared/COpenSSL", pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]),
        .systemLibrary(
            name: "CPKCS11", path: "Shared/CPKCS11", pkgConfig: "p11-kit-1",
            providers: [.apt(["libp11-kit-dev"])]),
        .target(
            name: "CSignPeerShims", dependencies: ["CCurl", "COpenSSL"],
            path: "Shared/CSignPeerShims"),

        // MARK: Shared modules

        .target(
            name: "SignPeerCore",
            path: "Shared/SignPeerCore", swiftSettings: swiftSettings),
        .target(
            name: "SignPeerPeerProtocol",
            path: "Shared/PeerProtocol", swiftSettings: swiftSettings),
        .target(
            name: "SignPeerPostgres",
            dependencies: [
                "CLibPQ",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Shared/Postgres", swiftSettings: swiftSettings),
        .target(
            name: "SignPeerHTTPClient",
            dependencies: ["CCurl", "CSignPeerShims", .product(name: "HTTPTypes", package: "swift-http-types")],
            path: "Shared/HTTPClient", swiftSettings: swiftSettings),
        .target(
            name: "SignPeerCrypto",
            dependencies: [
                "COpenSSL", "CSignPeerShims", "SignPeerCore", .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Shared/Crypto", swiftSettings: swiftSettings),
        .target(
            name: "SignPeerPKCS11",
            dependencies: ["CPKCS11", "COpenSSL", "SignPeerCore", "SignPeerCrypto"],
            path: "Shared/PKCS11", swiftSettings: swiftSettings),
        .target(
            name: "SignPeerStore",
            dependencies: [
                "SignPeerCore", "SignPeerPostgres", "SignPeerCrypto",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Shared/Store", swiftSettings: swiftSettings),
        .target(
            name: "SignPeerServer",
            dependencies: [
                "SignPeerCore", "SignPeerPostgres", "SignPeerHTTPClient", "SignPeerCrypto",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Configuration", package: "swift-configuration"),
                // Connection hygiene (Connections/): the HTTP/1 pipeline every listener uses.
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
            ],
            path: "Shared/Server", swiftSettings: swiftSettings),

        // MARK: Executables

        .executableTarget(
            name: "SignPeerGateway",
            dependencies: [
                "SignPeerCore", "SignPeerPostgres", "SignPeerHTTPClient", "SignPeerCrypto",
                "SignPeerServer", "SignPeerStore", "SignPeerPeerProtocol",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            path: "Services/Gateway", swiftSettings: swiftSettings),
        .executableTarget(
            name: "SignPeerKeyBindings",
            dependencies: [
                "SignPeerCore", "SignPeerPostgres", "SignPeerHTTPClient", "SignPeerCrypto", "SignPeerServer",
                "SignPeerStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/KeyBindings", swiftSettings: swiftSettings),
        .executableTarget(
            name: "SignPeerRenewal",
            dependencies: [
                "SignPeerCore", "SignPeerPostgres", "SignPeerHTTPClient", "SignPeerCrypto",
                "SignPeerServer", "SignPeerStore", "SignPeerPKCS11",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/Renewal", swiftSettings: swiftSettings),
        .executableTarget(
            name: "SignPeerCLI",
            dependencies: [
                "SignPeerCore", "SignPeerHTTPClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            path: "Services/CLI", swiftSettings: swiftSettings),

        // MARK: Tests

        .target(
            name: "SignPeerTestSupport",
            dependencies: ["SignPeerCore"],
            path: "Tests/TestSupport", swiftSettings: swiftSettings),
        .testTarget(
            name: "SignPeerCoreTests", dependencies: ["SignPeerCore", "SignPeerTestSupport"],
            path: "Tests/SignPeerCoreTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "PeerProtocolTests", dependencies: ["SignPeerPeerProtocol"],
            path: "Tests/PeerProtocolTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "PostgresTests", dependencies: ["SignPeerPostgres", "SignPeerTestSupport"],
            path: "Tests/PostgresTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "HTTPClientTests",
            dependencies: [
                "SignPeerHTTPClient", "SignPeerTestSupport", .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            path: "Tests/HTTPClientTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "CryptoTests", dependencies: ["SignPeerCrypto", "SignPeerTestSupport"],
            path: "Tests/CryptoTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "PKCS11Tests", dependencies: ["SignPeerPKCS11", "SignPeerCrypto", "SignPeerTestSupport"],
            path: "Tests/PKCS11Tests", swiftSettings: swiftSettings),
        .testTarget(
            name: "CLITests", dependencies: ["SignPeerCLI", "SignPeerCore"],
            path: "Tests/CLITests", swiftSettings: swiftSettings),
        .testTarget(
            name: "StoreTests", dependencies: ["SignPeerStore", "SignPeerCore", "SignPeerTestSupport"],
            path: "Tests/StoreTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "SignPeerServer", "SignPeerCore", "SignPeerPostgres",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ],
            path: "Tests/ServerTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "RenewalServiceTests",
            dependencies: [
                "SignPeerRenewal", "SignPeerServer", "SignPeerStore", "SignPeerPostgres", "SignPeerHTTPClient",
                "SignPeerCore", "SignPeerTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            path: "Tests/RenewalServiceTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "GatewayTests", dependencies: ["SignPeerGateway"],
            path: "Tests/GatewayTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["SignPeerCore", "SignPeerTestSupport"],
            // Read from the source tree at run time (a key store written by an earlier version).
            path: "Tests/IntegrationTests", exclude: ["Fixtures"], swiftSettings: swiftSettings),
    ]
)
