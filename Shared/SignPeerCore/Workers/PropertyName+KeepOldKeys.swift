extension PropertyName {
    /// `PEERS_KEEPOLDKEYS=<n>` (SPEC §13): after a successful install, keep only the `n` most
    /// recent keys the worker's installs superseded; unset keeps them all.
    public static let peersKeepOldKeys = "PEERS_KEEPOLDKEYS"
}
