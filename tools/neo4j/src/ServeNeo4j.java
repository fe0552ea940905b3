import java.io.IOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * Neo4j Community in this process, reachable only through Bolt on 127.0.0.1:PORT: the real
 * kernel and Cypher runtime, for development and tests without Docker or a Neo4j install.
 * The project talks to it with the official Python driver exactly as to a packaged server.
 *
 * Arguments: --port N --data DIR [--tx-memory SIZE] [--setting key=value]... ; the password of the user
 * "neo4j" comes from REDCHAIN_NEO4J_PASSWORD (authentication is off when it is unset).
 * Prints one line "ready bolt://127.0.0.1:N" once Bolt accepts connections, and shuts the
 * database down cleanly on SIGTERM / SIGINT (the data stays in DIR).
 *
 * --tx-memory SIZE (a neo4j.conf size: 64m, 1g) caps the memory of each transaction
 * (db.memory.transaction.max) and of all of a database's transactions together
 * (db.memory.transaction.total.max, four times as much): a write that needs more fails
 * with Neo4j's own memory error (Neo.TransientError.General.MemoryPoolOutOfMemoryError),
 * as it would on a server configured that way.
 */
public final class ServeNeo4j {
    private static final String HOST = "127.0.0.1";

    public static void main(String[] args) throws Exception {
        int port = -1;
        Path data = null;
        List<String> settings = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--port" -> { port = Integer.parseInt(require(args[i], value)); i++; }
                case "--data" -> { data = Path.of(require(args[i], value)).toAbsolutePath(); i++; }
                case "--setting" -> { settings.add(require(args[i], value)); i++; }
                case "--tx-memory" -> {
                    String size = require(args[i], value);
                    long bytes = ByteUnit.parse(size);
                    settings.add("db.memory.transaction.max=" + bytes);
                    settings.add("db.memory.transaction.total.max=" + 4 * bytes);
                    i++;
                }
                default -> fail("unknown argument " + args[i]);
            }
        }
        if (port <= 0 || port > 65535 || data == null) {
            fail("usage: ServeNeo4j --port N --data DIR [--tx-memory SIZE] [--setting key=value]...");
        }
        Files.createDirectories(data);
        String password = System.getenv("REDCHAIN_NEO4J_PASSWORD");
        boolean auth = password != null && !password.isEmpty();

        DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(data)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress(HOST, port))
                .setConfig(GraphDatabaseSettings.auth_enabled, auth)
                // A development server beside other programs: a small page cache unless a
                // --setting asks for more (the heap is the JVM's, -Xmx from serve).
                .setConfig(GraphDatabaseSettings.pagecache_memory, 256L * 1024 * 1024);
        if (!settings.isEmpty()) {
            // Extra settings go through Neo4j's own neo4j.conf parser, so they take the
            // same names and units as in a server's configuration file.
            Path conf = data.resolve("serve-settings.conf");
            try (Writer out = Files.newBufferedWriter(conf, StandardCharsets.UTF_8)) {
                for (String setting : settings) {
                    if (!setting.contains("=")) {
                        fail("--setting wants key=value, not " + setting);
                    }
                    out.write(setting + "\n");
                }
            }
            builder.loadPropertiesFromFile(conf);
        }
        DatabaseManagementService service = builder.build();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.shutdown();
            stopped.countDown();
        }, "neo4j-shutdown"));

        if (auth) {
            // The system database is reached here without a login; the password is set on
            // every start, so the one in the environment is always the one that works.
            // On a restart over kept data it may be that password already, which Neo4j
            // refuses to set again ("Old password and new password cannot be the same").
            try {
                service.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME).executeTransactionally(
                        "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED", Map.of("password", password));
            } catch (org.neo4j.graphdb.QueryExecutionException e) {
                if (!String.valueOf(e.getMessage()).contains("Old password and new password cannot be the same")) {
                    throw e;
                }
            }
        }
        waitForBolt(port);
        System.out.println("ready bolt://" + HOST + ":" + port);
        System.out.flush();
        stopped.await();
    }

    private static void waitForBolt(int port) throws InterruptedException {
        for (int attempt = 0; attempt < 600; attempt++) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(HOST, port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        fail("Bolt did not open on " + HOST + ":" + port + " within 60 s");
    }

    private static String require(String flag, String value) {
        if (value == null) {
            fail(flag + " needs a value");
        }
        return value;
    }

    private static void fail(String message) {
        System.err.println("serve: " + message);
        System.exit(2);
    }
}
