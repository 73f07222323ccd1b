// The oracle for SignPeer's property-file parser: loads each file named on the command line with
// the real java.util.Properties and prints one JSON object per file, {"properties": {...}} or
// {"error": "..."}. The bytes are decoded as SignPeer decodes them (UTF-8 when valid, otherwise
// ISO-8859-1), so the comparison is about the .properties syntax alone.
//   java DumpProperties.java FILE...
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.TreeSet;

public class DumpProperties {
    public static void main(String[] arguments) throws Exception {
        for (String file : arguments) {
            byte[] bytes = Files.readAllBytes(Path.of(file));
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException notUTF8) {
                text = new String(bytes, StandardCharsets.ISO_8859_1);
            }
            Properties properties = new Properties();
            try {
                properties.load(new StringReader(text));
            } catch (IllegalArgumentException error) {
                System.out.println("{\"error\":" + json(String.valueOf(error.getMessage())) + "}");
                continue;
            }
            StringBuilder out = new StringBuilder("{\"properties\":{");
            String separator = "";
            for (String key : new TreeSet<>(properties.stringPropertyNames())) {
                out.append(separator).append(json(key)).append(':').append(json(properties.getProperty(key)));
                separator = ",";
            }
            System.out.println(out.append("}}"));
        }
    }

    /// A JSON string; everything outside printable ASCII as \\uXXXX of its UTF-16 units.
    static String json(String value) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            if (c == '"' || c == '\\') out.append('\\').append(c);
            else if (c < 0x20 || c > 0x7e) out.append(String.format("\\u%04x", (int) c));
            else out.append(c);
        }
        return out.append('"').toString();
    }
}
