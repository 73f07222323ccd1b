import ArgumentParser
import Foundation
import SignPeerCore

/// `signpeer generatecertreq <worker> <dn> <sigalg> <outfile> [-nextkey | -alias <alias>]`: has the
/// renewal service make a PKCS#10 request for the worker's `DEFAULTKEY` (or `NEXTCERTSIGNKEY`, or
/// the given alias), signed with `<sigalg>` (e.g. `SHA256withRSA`), and writes it as PEM to
/// `<outfile>` (created or overwritten).
struct GenerateCertReqCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generatecertreq", abstract: "Write a certificate signing request for a worker's key.",
        usage: CertReqArguments.usage,
        discussion: "Quote the DN, e.g. \"CN=Signer 1, O=Demo, C=SE\".")

    @OptionGroup var connection: ConnectionOptions
    @Argument(parsing: .allUnrecognized, help: .hidden) var arguments: [String] = []

    func run() async throws {
        let parsed = try CertReqArguments.parse(arguments)
        let path = try AdminPaths.certificateRequest(parsed.worker)
        try OutputFiles.checkWritable(parsed.outputFile)
        let result: CertificateRequestResult = try await connection.makeClient().post(
            path,
            CertificateRequestRequest(
                subjectDN: parsed.subjectDN, signatureAlgorithm: parsed.signatureAlgorithm, nextKey: parsed.nextKey,
                alias: parsed.alias))
        try OutputFiles.write(Data(OutputFiles.pem(result.csr, label: "CERTIFICATE REQUEST").utf8), to: parsed.outputFile)
        print("Certificate request for key \(result.keyAlias) written to \(parsed.outputFile)")
    }
}
