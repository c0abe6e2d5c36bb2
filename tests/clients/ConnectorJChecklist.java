// The client checklist through the proxy with MariaDB Connector/J (Debian libmariadb-java, 2.7).
// Each check compares the proxy's answer with a direct connection to the master's, so it fails if
// the proxy alters, loses or misroutes anything. Prepared statements run both ways the driver has:
// client-side (default) and useServerPrepStmts=true (binary protocol). Statement.cancel() and
// MariaDbConnection.reset() (COM_RESET_CONNECTION) are covered; COM_CHANGE_USER is not, because
// JDBC and Connector/J have no API for it.
// Usage: java -cp mariadb-java-client.jar:DIR ConnectorJChecklist PROXY_PORT MASTER_PORT TMP_DIR [TLS:0|1]
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.Date;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Time;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

public class ConnectorJChecklist {
  static int proxyPort, masterPort;
  static Path tmp;
  static int passed, failed;

  static void check(String name, boolean ok, Object detail) {
    if (ok) {
      passed++;
      System.out.println("[connector_j] ok: " + name);
    } else {
      failed++;
      System.out.println("[connector_j] FAIL: " + name + (detail == null ? "" : ": " + detail));
    }
  }

  static Connection connect(int port, String options) throws SQLException {
    return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/app?user=app&password=app_pw"
        + "&allowLocalInfile=true&allowMultiQueries=true&connectTimeout=10000" + options);
  }

  // Connector/J prefixes messages with "(conn=<thread id>) "; the ids differ by nature.
  static String errText(SQLException e) {
    return "ERR " + e.getErrorCode() + "|" + e.getSQLState() + "|" + e.getMessage().replaceFirst("^\\(conn=\\d+\\) ", "");
  }

  // Every result set of a Statement: values (binary as hex) and column metadata.
  static String canon(Statement st, boolean hasResult) throws SQLException {
    StringBuilder out = new StringBuilder();
    for (;;) {
      if (hasResult) {
        try (ResultSet rs = st.getResultSet()) {
          ResultSetMetaData md = rs.getMetaData();
          int n = md.getColumnCount();
          for (int i = 1; i <= n; i++)
            out.append('[').append(md.getColumnLabel(i)).append('|').append(md.getColumnTypeName(i)).append('|')
                .append(md.getColumnType(i)).append('|').append(md.getPrecision(i)).append('|').append(md.getScale(i))
                .append('|').append(md.isNullable(i)).append('|').append(md.getColumnClassName(i)).append(']');
          while (rs.next()) {
            out.append('\n');
            for (int i = 1; i <= n; i++) {
              int type = md.getColumnType(i);
              boolean binary = type == Types.BINARY || type == Types.VARBINARY || type == Types.LONGVARBINARY
                  || type == Types.BLOB;
              String v = binary ? (rs.getBytes(i) == null ? null : "hex:" + HexFormat.of().formatHex(rs.getBytes(i)))
                                : rs.getString(i);
              out.append(v == null ? "NULL" : v.length() + ":" + v).append('\t');
            }
          }
        }
      } else {
        out.append("{update=").append(st.getUpdateCount()).append('}');
      }
      out.append("\n--\n");
      hasResult = st.getMoreResults();
      if (!hasResult && st.getUpdateCount() == -1) break;
    }
    return out.toString();
  }

  interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  static String run(Connection c, String sql, Binder binder) {
    try {
      if (binder == null) {
        try (Statement st = c.createStatement()) {
          return canon(st, st.execute(sql));
        }
      }
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        binder.bind(ps);
        return canon(ps, ps.execute());
      }
    } catch (SQLException e) {
      return errText(e);
    }
  }

  static void same(String name, Connection p, Connection d, String sql, Binder binder, boolean expectError) {
    String a = run(p, sql, binder), b = run(d, sql, binder);
    check(name, a.equals(b) && a.startsWith("ERR") == expectError,
        "\n  proxy:  " + a.substring(0, Math.min(a.length(), 700)) + "\n  direct: " + b.substring(0, Math.min(b.length(), 700)));
  }

  static String value(Connection c, String sql) {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : "NO ROW";
    } catch (SQLException e) {
      return errText(e);
    }
  }

  static void exec(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  public static void main(String[] args) throws Exception {
    proxyPort = Integer.parseInt(args[0]);
    masterPort = Integer.parseInt(args[1]);
    tmp = Path.of(args[2]);
    boolean tls = args.length > 3 && args[3].equals("1");
    try {
      checklist(tls);
    } catch (Exception e) {
      e.printStackTrace(System.out);
      check("unexpected exception", false, e);
    }
    System.out.println("[connector_j] " + passed + " passed, " + failed + " failed");
    System.exit(failed == 0 ? 0 : 1);
  }

  static void checklist(boolean tls) throws Exception {
    // --- connect, wrong password -------------------------------------------------------------------
    try (Connection bad = DriverManager.getConnection(
             "jdbc:mariadb://127.0.0.1:" + proxyPort + "/app?user=app&password=wrong&connectTimeout=10000")) {
      check("wrong password rejected", false, "connected as thread " + bad.unwrap(org.mariadb.jdbc.MariaDbConnection.class).getServerThreadId());
    } catch (SQLException e) {
      check("wrong password rejected with 1045 (28000)", e.getErrorCode() == 1045 && "28000".equals(e.getSQLState())
          && errText(e).contains("Access denied for user 'app'@"), errText(e));
    }
    Connection p = connect(proxyPort, "");
    Connection d = connect(masterPort, "");
    Connection ps = connect(proxyPort, "&useServerPrepStmts=true");
    Connection ds = connect(masterPort, "&useServerPrepStmts=true");
    check("connect", value(p, "SELECT DATABASE()").equals("app"), value(p, "SELECT DATABASE()"));
    check("driver sees a MariaDB server", ((org.mariadb.jdbc.MariaDbConnection) p).isServerMariaDb(), null);

    // PREPARE and EXECUTE as separate statements on a fresh session (the EXECUTE of a read may go to a replica).
    try (Connection f = connect(proxyPort, "")) {
      exec(f, "PREPARE ck_s FROM 'SELECT ? * 2'");
      exec(f, "SET @v = 21");
      String v = value(f, "EXECUTE ck_s USING @v");
      check("text PREPARE, then EXECUTE as its own statement", "42".equals(v), v);
    }

    // --- every column type -------------------------------------------------------------------------
    exec(d, "DROP TABLE IF EXISTS ck_j_types");
    exec(d, "CREATE TABLE ck_j_types (id INT PRIMARY KEY, ti TINYINT, si SMALLINT UNSIGNED, mi MEDIUMINT, i INT,"
        + " bi BIGINT UNSIGNED, f FLOAT, db DOUBLE, dc DECIMAL(65,30), dt DATE, tm TIME(3), dtm DATETIME(6),"
        + " ts TIMESTAMP(6) NULL, yr YEAR, ch CHAR(10), vc VARCHAR(200), bn BINARY(4), vb VARBINARY(20), tx TEXT,"
        + " bl LONGBLOB, en ENUM('a','b'), st SET('x','y'), bt BIT(10), js JSON, ge POINT NULL, nul INT NULL)"
        + " DEFAULT CHARSET=utf8mb4");
    String ins = "INSERT INTO ck_j_types VALUES (?, -128, 65535, -8388608, -2147483648, 18446744073709551615, 1.5,"
        + " 2.25, ?, '2024-02-29', '-838:59:59.999', ?, '2024-02-29 12:00:00.000001', 2155, 'char', ?, ?, X'ff00',"
        + " REPEAT('text', 100), REPEAT(X'00', 1000), 'b', 'x,y', b'1000000001', ?, POINT(1, 2), NULL)";
    String dec = "12345678901234567890123456789012345.123456789012345678901234567891";
    String json = "{\"a\": [1, 2, {\"b\": null}]}";
    for (Object[] w : new Object[][] {{p, 1, "client-side"}, {ps, 2, "server-side"}}) {
      try (PreparedStatement st = ((Connection) w[0]).prepareStatement(ins)) {
        st.setInt(1, (Integer) w[1]);
        st.setBigDecimal(2, new BigDecimal(dec));
        st.setString(3, "2024-02-29 23:59:59.999999");
        st.setString(4, "vé中😀");
        st.setBytes(5, new byte[] {0, 1, 2, 3});
        st.setString(6, json);
        st.executeUpdate();
        check("insert every column type (" + w[2] + " prepare)", true, null);
      } catch (SQLException e) {
        check("insert every column type (" + w[2] + " prepare)", false, errText(e));
      }
    }
    exec(p, "INSERT INTO ck_j_types (id) VALUES (3)");
    // The session wrote: read-your-writes holds wherever its reads run.
    same("every column type incl. NULLs identical (text protocol)", p, d, "SELECT * FROM ck_j_types ORDER BY id", null, false);
    same("every column type identical (binary protocol)", ps, ds, "SELECT * FROM ck_j_types WHERE id > ? ORDER BY id",
        s -> s.setInt(1, 0), false);
    check("DECIMAL(65,30) exact", value(p, "SELECT dc FROM ck_j_types WHERE id = 1").equals(dec), null);
    try (PreparedStatement st = ps.prepareStatement("SELECT dtm, js, vc, dc FROM ck_j_types WHERE id = ?")) {
      st.setInt(1, 2);
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        Timestamp t = rs.getTimestamp(1);
        check("DATETIME(6) exact (binary protocol)", t.toString().equals("2024-02-29 23:59:59.999999"), t);
        check("JSON exact", rs.getString(2).equals(json), rs.getString(2));
        check("utf8mb4 string exact", rs.getString(3).equals("vé中😀"), rs.getString(3));
        check("DECIMAL(65,30) exact (binary protocol)", rs.getBigDecimal(4).equals(new BigDecimal(dec)), rs.getBigDecimal(4));
      }
    }

    // --- 20 MB BLOB ------------------------------------------------------------------------------------
    byte[] blob = new byte[20 * 1024 * 1024];
    new Random(42).nextBytes(blob);
    exec(p, "DROP TABLE IF EXISTS ck_j_blob");
    exec(p, "CREATE TABLE ck_j_blob (id INT PRIMARY KEY, b LONGBLOB)");
    for (Object[] w : new Object[][] {{p, 1, "client-side"}, {ps, 2, "server-side"}}) {
      Connection c = (Connection) w[0];
      try (PreparedStatement st = c.prepareStatement("INSERT INTO ck_j_blob VALUES (?, ?)")) {
        st.setInt(1, (Integer) w[1]);
        st.setBytes(2, blob);
        st.executeUpdate();
        check("20 MB BLOB insert (" + w[2] + " prepare)", true, null);
      } catch (SQLException e) {
        check("20 MB BLOB insert (" + w[2] + " prepare)", false, errText(e));
      }
      try (PreparedStatement st = c.prepareStatement("/* switchyard:route=master */ SELECT b FROM ck_j_blob WHERE id = ?")) {
        st.setInt(1, (Integer) w[1]);
        try (ResultSet rs = st.executeQuery()) {
          byte[] back = rs.next() ? rs.getBytes(1) : null;
          check("20 MB BLOB round trip (" + w[2] + " prepare)", java.util.Arrays.equals(back, blob),
              back == null ? "no row" : back.length);
        }
      } catch (SQLException e) {
        check("20 MB BLOB round trip (" + w[2] + " prepare)", false, errText(e));
      }
    }
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(blob));
    check("20 MB BLOBs stored intact", value(d, "SELECT GROUP_CONCAT(SHA2(b, 256) ORDER BY id) FROM ck_j_blob")
        .equals(sha + "," + sha), null);
    exec(d, "DROP TABLE ck_j_blob");

    // --- prepared statements with every parameter type -------------------------------------------------------
    Binder all = s -> {
      s.setByte(1, (byte) -7);
      s.setShort(2, (short) -32768);
      s.setInt(3, Integer.MAX_VALUE);
      s.setLong(4, Long.MIN_VALUE);
      s.setFloat(5, 1.25f);
      s.setDouble(6, -1.7976931348623157e308);
      s.setBigDecimal(7, new BigDecimal("-" + dec));
      s.setString(8, "vé中😀 'q' \\");
      s.setBytes(9, new byte[] {0, (byte) 0xff, 0x27, 0x5c});
      s.setDate(10, Date.valueOf("2024-02-29"));
      s.setTime(11, Time.valueOf("23:59:58"));
      s.setTimestamp(12, Timestamp.valueOf("2024-02-29 23:59:59.999999"));
      s.setNull(13, Types.INTEGER);
      s.setBoolean(14, true);
      s.setObject(15, java.time.LocalDateTime.of(2024, 2, 29, 1, 2, 3, 456000000));
      s.setString(16, json);
    };
    String echo = "SELECT ?, ?, ?, ?, ?, ?, ?, ?, HEX(?), ?, ?, ?, ?, ?, ?, ?";
    same("every parameter type echoed identically (client-side prepare)", p, d, echo, all, false);
    same("every parameter type echoed identically (server-side prepare)", ps, ds, echo, all, false);
    exec(d, "DROP TABLE IF EXISTS ck_j_ps");
    exec(d, "CREATE TABLE ck_j_ps (id INT AUTO_INCREMENT PRIMARY KEY, a TINYINT, b SMALLINT, c INT, d BIGINT,"
        + " e FLOAT, f DOUBLE, g DECIMAL(65,30), h VARCHAR(50), i BLOB, j DATE, k TIME, l DATETIME(6), m INT,"
        + " n BOOLEAN, o DATETIME(6), p JSON) DEFAULT CHARSET=utf8mb4");
    String insAll = "INSERT INTO ck_j_ps (a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    for (Connection c : new Connection[] {ps, ds}) {
      try (PreparedStatement st = c.prepareStatement(insAll)) {
        for (int k = 0; k < 2; k++) {  // re-executed
          all.bind(st);
          st.executeUpdate();
        }
        st.clearParameters();
      }
    }
    same("rows from a re-executed server-side INSERT identical", p, d,
        "/* switchyard:route=master */ SELECT a, b, c, d, e, f, g, h, HEX(i), j, k, l, m, n, o, p, COUNT(*)"
            + " FROM ck_j_ps GROUP BY a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p",
        null, false);
    same("server-side prepare error identical", ps, ds, "SELECT * FROM no_such_table WHERE id = ?", s -> s.setInt(1, 1), true);
    try (PreparedStatement st = ps.prepareStatement("INSERT INTO ck_j_ps (a) VALUES (?)")) {
      for (int k = 1; k <= 5; k++) {
        st.setInt(1, 100 + k);
        st.addBatch();
      }
      int[] counts = st.executeBatch();
      check("server-side batch insert", counts.length == 5, counts.length);
    } catch (SQLException e) {
      check("server-side batch insert", false, errText(e));
    }
    check("batch rows stored", value(d, "SELECT COUNT(*) FROM ck_j_ps WHERE a > 100").equals("5"), null);

    // --- multi-statements ------------------------------------------------------------------------------------
    String multi = run(p, "SELECT 1 AS a; SELECT 2 AS b, 3 AS c; DO 0; SELECT 'x' AS d", null);
    check("multi-statement result sets", multi.contains("\n1:1\t") && multi.contains("\n1:2\t1:3\t")
        && multi.contains("{update=0}") && multi.contains("\n1:x\t"), multi);
    same("multi-statements identical", p, d, "SELECT 1 AS a; SELECT 2 AS b, 3 AS c; DO 0; SELECT 'x' AS d", null, false);
    same("multi-statement stopping at an error identical", p, d, "SELECT 1; SELECT * FROM no_such_table; SELECT 3", null, true);
    check("connection usable after a failed multi-statement", value(p, "SELECT 5").equals("5"), null);

    // --- transactions ------------------------------------------------------------------------------------------
    exec(p, "DROP TABLE IF EXISTS ck_j_tx");
    exec(p, "CREATE TABLE ck_j_tx (id INT PRIMARY KEY)");
    p.setAutoCommit(false);
    exec(p, "INSERT INTO ck_j_tx VALUES (1)");
    check("statements inside a transaction run on the master", value(p, "SELECT @@server_id").equals("1"), null);
    p.rollback();
    exec(p, "INSERT INTO ck_j_tx VALUES (2)");
    p.commit();
    p.setAutoCommit(true);
    check("rollback discards, commit keeps", value(d, "SELECT GROUP_CONCAT(id) FROM ck_j_tx").equals("2"), null);
    exec(d, "DROP TABLE ck_j_tx");

    // --- errors ----------------------------------------------------------------------------------------------------
    for (String sql : new String[] {"SELECT * FROM no_such_table", "SELEC 1", "INSERT INTO ck_j_types (id) VALUES (1)",
             "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'custom', MYSQL_ERRNO = 1644"})
      same("error code/SQLSTATE/message identical: " + sql, p, d, sql, null, true);

    // --- KILL QUERY and Statement.cancel() ----------------------------------------------------------------------------
    for (String how : new String[] {"KILL QUERY <getServerThreadId()>", "Statement.cancel()"}) {
      Connection victim = connect(proxyPort, "");
      long id = ((org.mariadb.jdbc.MariaDbConnection) victim).getServerThreadId();
      Statement st = victim.createStatement();
      AtomicReference<String> outcome = new AtomicReference<>("none");
      long t0 = System.nanoTime();
      Thread t = new Thread(() -> {
        try (ResultSet rs = st.executeQuery("SELECT SLEEP(30)")) {
          outcome.set(rs.next() ? "value " + rs.getString(1) : "no row");
        } catch (SQLException e) {
          outcome.set(errText(e));
        }
      });
      t.start();
      Thread.sleep(500);
      long tKill = System.nanoTime();
      try {
        if (how.startsWith("KILL")) exec(p, "KILL QUERY " + id);
        else st.cancel();  // the driver opens a connection and sends KILL QUERY <thread id>
        check(how + " accepted", true, null);
      } catch (SQLException e) {
        check(how + " accepted", false, errText(e));
      }
      t.join(10000);
      double after = (System.nanoTime() - tKill) / 1e9;
      check(String.format("%s cancels SLEEP(30) within a second (%.3f s)", how, after),
          after < 1.0 && (outcome.get().startsWith("ERR 1317") || outcome.get().equals("value 1")), outcome.get());
      check(how + ": session still usable", value(victim, "SELECT 7").equals("7"), null);
      st.close();
      victim.close();
    }

    // --- LOAD DATA LOCAL INFILE -------------------------------------------------------------------------------------------
    Path file = tmp.resolve("java_load.tsv");
    StringBuilder data = new StringBuilder();
    for (int i = 0; i < 100000; i++) data.append(i).append("\trow ").append(i).append('\n');
    Files.writeString(file, data, StandardCharsets.UTF_8);
    exec(p, "DROP TABLE IF EXISTS ck_j_load");
    exec(p, "CREATE TABLE ck_j_load (id INT PRIMARY KEY, v VARCHAR(32))");
    try (Statement st = p.createStatement()) {
      int n = st.executeUpdate("LOAD DATA LOCAL INFILE '" + file + "' INTO TABLE ck_j_load");
      check("LOAD DATA LOCAL INFILE accepted", n == 100000, n);
    } catch (SQLException e) {
      check("LOAD DATA LOCAL INFILE accepted", false, errText(e));
    }
    check("LOAD DATA LOCAL INFILE 100k rows",
        value(d, "SELECT CONCAT(COUNT(*), ' ', SUM(id)) FROM ck_j_load").equals("100000 4999950000"), null);
    exec(d, "DROP TABLE ck_j_load");
    Files.delete(file);

    // --- COM_RESET_CONNECTION ------------------------------------------------------------------------------------------------
    // reset() sends COM_RESET_CONNECTION only with useResetConnection=true (else it resets driver state).
    try (Connection c = connect(proxyPort, "&useServerPrepStmts=true&useResetConnection=true")) {
      exec(c, "SET @x = 5, time_zone = '+03:00'");
      exec(c, "CREATE TEMPORARY TABLE ck_j_tmp (i INT)");
      try {
        ((org.mariadb.jdbc.MariaDbConnection) c).reset();
        check("MariaDbConnection.reset() (COM_RESET_CONNECTION)", true, null);
      } catch (SQLException e) {
        check("MariaDbConnection.reset() (COM_RESET_CONNECTION)", false, errText(e));
      }
      check("reset: user variable gone", value(c, "/* switchyard:route=master */ SELECT @x") == null, null);
      check("reset: user variable gone on the replica route too", value(c, "SELECT @x") == null, null);
      check("reset: time_zone back to default", "SYSTEM".equals(value(c, "SELECT @@time_zone")), value(c, "SELECT @@time_zone"));
      check("reset: temporary table gone", value(c, "SELECT * FROM ck_j_tmp").startsWith("ERR 1146"), null);
      try (PreparedStatement st = c.prepareStatement("SELECT ? + 1")) {
        st.setInt(1, 41);
        try (ResultSet rs = st.executeQuery()) {
          check("reset: server-side prepared statements work", rs.next() && rs.getInt(1) == 42, null);
        }
      } catch (SQLException e) {
        check("reset: server-side prepared statements work", false, errText(e));
      }
    }

    // --- TLS ------------------------------------------------------------------------------------------------------------
    if (tls) {
      String cert = tmp.resolve("server.pem").toString();
      for (String[] w : new String[][] {{"&useSsl=true&trustServerCertificate=true", "trusted"},
               {"&useSsl=true&serverSslCert=" + cert, "certificate verified"}}) {
        try (Connection t = connect(proxyPort, w[0] + "&useServerPrepStmts=true")) {
          check("TLS connect (" + w[1] + ")", true, null);
          check("query over TLS (" + w[1] + ")", value(t, "SELECT 42").equals("42"), null);
          same("prepared statement over TLS (" + w[1] + ")", t, ds, "SELECT * FROM ck_j_types WHERE id > ? ORDER BY id",
              s -> s.setInt(1, 0), false);
        } catch (SQLException e) {
          check("TLS connect (" + w[1] + ")", false, errText(e));
        }
      }
    }

    exec(d, "DROP TABLE IF EXISTS ck_j_types, ck_j_ps");
    for (Connection c : List.of(p, d, ps, ds)) c.close();
  }
}
