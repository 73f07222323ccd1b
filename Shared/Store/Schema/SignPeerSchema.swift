import SignPeerPostgres

/// The SignPeer database schema as versioned migrations, applied by every service at start
/// under the migration lock (see ``Migrator``). Append new versions; never edit an applied one.
public enum SignPeerSchema {
    public static let migrations: [Migration] = [
        V0001Initial.migration,
        V0020EJBCAPeer.migration,
        V0040PerKeyStorage.migration,
        V0050ListingVersion.migration,
        V0060ListingVersionNotify.migration,
    ]
}
