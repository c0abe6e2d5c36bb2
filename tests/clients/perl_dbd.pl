#!/usr/bin/perl
# The client checklist through the proxy with Perl DBI + DBD::MariaDB (Debian libdbd-mariadb-perl).
# Each check compares the proxy's answer with a direct connection to the master's, so it fails if
# the proxy alters, loses or misroutes anything. Prepared statements run both ways DBD::MariaDB
# has: client-side placeholders (text protocol) and mariadb_server_prepare=1 (binary protocol).
# Not covered, because DBD::MariaDB has no API for them: COM_CHANGE_USER, COM_RESET_CONNECTION.
# Usage: perl_dbd.pl PROXY_PORT MASTER_PORT TMP_DIR [TLS:0|1]
use strict;
use warnings;
use utf8;
use DBI qw(:sql_types);
use Time::HiRes qw(time sleep);
use Digest::SHA qw(sha256_hex);

my ($PROXY, $MASTER, $TMP, $TLS) = @ARGV;
die "usage: $0 PROXY_PORT MASTER_PORT TMP_DIR [TLS]\n" unless $TMP;
binmode STDOUT, ':encoding(UTF-8)';
$| = 1;
my ($passed, $failed) = (0, 0);

sub check {
  my ($name, $ok, $detail) = @_;
  if ($ok) { $passed++; print "[perl_dbd] ok: $name\n"; }
  else { $failed++; print "[perl_dbd] FAIL: $name", (defined $detail ? ": $detail" : ''), "\n"; }
}

sub connect_to {
  my ($port, %opt) = @_;
  my $password = delete $opt{password} // 'app_pw';
  my $dsn = "DBI:MariaDB:database=app;host=127.0.0.1;port=$port";
  return DBI->connect($dsn, delete $opt{user} // 'app', $password,
    { RaiseError => 0, PrintError => 0, AutoCommit => 1, mariadb_local_infile => 1,
      mariadb_multi_statements => 1, mariadb_connect_timeout => 10, %opt });
}

# A canonical text of every result set of SQL (values, NULLs, column names and types) or the error.
sub results {
  my ($dbh, $sql, @bind) = @_;
  my $sth = $dbh->prepare($sql) or return "PREPARE ERR " . join('|', $dbh->err, $dbh->state, $dbh->errstr);
  defined $sth->execute(@bind) or return "ERR " . join('|', $sth->err, $sth->state, $sth->errstr);
  my $out = '';
  do {
    if ($sth->{NUM_OF_FIELDS}) {
      $out .= join(',', map { "$sth->{NAME}[$_]:$sth->{mariadb_type}[$_]:$sth->{NULLABLE}[$_]" }
                          0 .. $sth->{NUM_OF_FIELDS} - 1) . "\n";
      while (my $row = $sth->fetchrow_arrayref) {
        $out .= join("\t", map { defined $_ ? length($_) . ":$_" : 'NULL' } @$row) . "\n";
      }
    } else {
      $out .= "{rows=" . $sth->rows . "}\n";
    }
    $out .= "--\n";
  } while (!$dbh->{mariadb_server_prepare} && $sth->more_results);  # no multi-results there
  $out .= "ERR " . join('|', $sth->err, $sth->state, $sth->errstr) if $sth->err;
  return $out;
}

sub same {
  my ($name, $p, $d, $sql, @bind) = @_;
  my $a = results($p, $sql, @bind);
  my $b = results($d, $sql, @bind);
  my $at = 0;  # where they differ
  $at++ while $at < length($a) && $at < length($b) && substr($a, $at, 1) eq substr($b, $at, 1);
  my $from = $at > 200 ? $at - 200 : 0;
  check($name, $a eq $b && $a !~ /ERR/,
    "differ at offset $at of " . length($a) . "/" . length($b) . "\n  proxy:  " . substr($a, $from, 600) .
    "\n  direct: " . substr($b, $from, 600));
}

sub value {
  my ($dbh, $sql) = @_;
  my $row = $dbh->selectrow_arrayref($sql);
  return $row ? $row->[0] : "ERR " . ($dbh->errstr // '');
}

# --- connect, wrong password ---------------------------------------------------------------------
my $bad = connect_to($PROXY, password => 'wrong');
check("wrong password rejected with 1045 (28000)",
  !$bad && ($DBI::err // 0) == 1045 && ($DBI::state // '') eq '28000' && ($DBI::errstr // '') =~ /^Access denied for user 'app'@/,
  join('|', $DBI::err // '', $DBI::state // '', $DBI::errstr // ''));
my $p = connect_to($PROXY) or die "connect via proxy: $DBI::errstr";
my $d = connect_to($MASTER) or die "connect direct: $DBI::errstr";
my $ps = connect_to($PROXY, mariadb_server_prepare => 1, mariadb_server_prepare_disable_fallback => 1)
  or die "connect via proxy: $DBI::errstr";
my $ds = connect_to($MASTER, mariadb_server_prepare => 1, mariadb_server_prepare_disable_fallback => 1)
  or die "connect direct: $DBI::errstr";
check("connect", value($p, "SELECT DATABASE()") eq 'app');

{  # PREPARE and EXECUTE as separate statements on a fresh session (the EXECUTE of a read may go to a replica)
  my $f = connect_to($PROXY);
  $f->do("PREPARE ck_s FROM 'SELECT ? * 2'");
  $f->do("SET \@v = 21");
  my $v = value($f, "EXECUTE ck_s USING \@v");
  check("text PREPARE, then EXECUTE as its own statement", $v eq '42', $v);
  $f->disconnect;
}

# --- every column type ------------------------------------------------------------------------------
$d->do("DROP TABLE IF EXISTS ck_pl_types");
$d->do("CREATE TABLE ck_pl_types (id INT PRIMARY KEY, ti TINYINT, si SMALLINT UNSIGNED, mi MEDIUMINT, i INT,
  bi BIGINT UNSIGNED, f FLOAT, db DOUBLE, dc DECIMAL(65,30), dt DATE, tm TIME(3), dtm DATETIME(6),
  ts TIMESTAMP(6) NULL, yr YEAR, ch CHAR(10), vc VARCHAR(200), bn BINARY(4), vb VARBINARY(20), tx TEXT,
  bl LONGBLOB, en ENUM('a','b'), st SET('x','y'), bt BIT(10), js JSON, ge POINT NULL, nul INT NULL)
  DEFAULT CHARSET=utf8mb4") or die $d->errstr;
my @row = (1, -128, 65535, -8388608, -2147483648, '18446744073709551615', 1.5, 2.25,
  '12345678901234567890123456789012345.123456789012345678901234567891', '2024-02-29', '-838:59:59.999',
  '2024-02-29 23:59:59.999999', '2024-02-29 12:00:00.000001', 2155, 'char', "vé中😀", "\x00\x01\x02\x03",
  "\xff\x00", 'text' x 100, "\x00" x 1000, 'b', 'x,y', "\x02\x01", '{"a": [1, 2, {"b": null}]}');
my $ins = "INSERT INTO ck_pl_types VALUES (" . join(',', ('?') x @row) . ", POINT(1, 2), NULL)";
check("insert every column type (client-side placeholders)", $p->do($ins, undef, @row), $p->errstr);
$row[0] = 2;
check("insert every column type (server-side prepare)", $ps->do($ins, undef, @row), $ps->errstr);
$p->do("INSERT INTO ck_pl_types (id) VALUES (3)");
# Session consistency: $p wrote, so its reads see the rows wherever they run.
same("every column type incl. NULLs identical (text protocol)", $p, $d, "SELECT * FROM ck_pl_types ORDER BY id");
same("every column type identical (binary protocol)", $ps, $ds,
  "/* switchyard:route=master */ SELECT * FROM ck_pl_types ORDER BY id");
my $r = $p->selectrow_hashref("SELECT dc, dtm, js, HEX(bn) AS bn, vc FROM ck_pl_types WHERE id = 1");
check("DECIMAL(65,30) exact", $r && $r->{dc} eq $row[8], $r && $r->{dc});
check("DATETIME(6) exact", $r && $r->{dtm} eq '2024-02-29 23:59:59.999999', $r && $r->{dtm});
check("JSON exact", $r && $r->{js} eq $row[23], $r && $r->{js});
check("utf8mb4 string exact", $r && $r->{vc} eq "vé中😀", $r && $r->{vc});

# --- 20 MB BLOB --------------------------------------------------------------------------------------
my $blob = join('', map { pack('N', int(rand(4294967296))) } 1 .. 5 * 1024 * 1024);
$p->do("DROP TABLE IF EXISTS ck_pl_blob");
$p->do("CREATE TABLE ck_pl_blob (id INT PRIMARY KEY, b LONGBLOB)");
for my $h ([$p, 1, 'text protocol'], [$ps, 2, 'binary protocol']) {
  my ($dbh, $id, $how) = @$h;
  my $sth = $dbh->prepare("INSERT INTO ck_pl_blob VALUES (?, ?)");
  $sth->bind_param(1, $id, SQL_INTEGER);
  $sth->bind_param(2, $blob, SQL_BLOB);
  check("20 MB BLOB insert ($how)", $sth->execute, $sth->errstr);
  my $back = $dbh->selectrow_array("/* switchyard:route=master */ SELECT b FROM ck_pl_blob WHERE id = ?", undef, $id);
  check("20 MB BLOB round trip ($how)", defined $back && $back eq $blob, defined $back ? length($back) : $dbh->errstr);
}
check("20 MB BLOBs stored intact", value($d, "SELECT GROUP_CONCAT(SHA2(b, 256)) FROM ck_pl_blob") eq
  sha256_hex($blob) . ',' . sha256_hex($blob));
$d->do("DROP TABLE ck_pl_blob");

# --- prepared statements with every parameter type -----------------------------------------------------
my @params = ([-42, SQL_TINYINT], [-32768, SQL_SMALLINT], [2147483647, SQL_INTEGER],
  ['-9223372036854775808', SQL_BIGINT], [1.25, SQL_FLOAT], [-1.5e300, SQL_DOUBLE],
  ['-12345678901234567890123456789012345.123456789012345678901234567891', SQL_DECIMAL],
  ["vé中😀 'q' \\", SQL_VARCHAR], ["\x00\xff'\\", SQL_BLOB], ['2024-02-29', SQL_DATE],
  ['23:59:58.5', SQL_TIME], ['2024-02-29 23:59:59.999999', SQL_TIMESTAMP], [undef, SQL_INTEGER],
  ['{"k": [1, null]}', SQL_VARCHAR]);
my $echo = "SELECT ?, ?, ?, ?, ?, ?, ?, ?, HEX(?), ?, ?, ?, ?, ?";
for my $pair ([$p, $d, 'client-side placeholders'], [$ps, $ds, 'server-side prepare']) {
  my ($pp, $dd, $how) = @$pair;
  my @out;
  for my $dbh ($pp, $dd) {
    my $sth = $dbh->prepare($echo);
    $sth->bind_param($_ + 1, $params[$_][0], $params[$_][1]) for 0 .. $#params;
    push @out, $sth->execute ? join("\t", map { $_ // 'NULL' } @{$sth->fetchrow_arrayref}) : 'ERR ' . $sth->errstr;
  }
  check("every parameter type echoed identically ($how)", $out[0] eq $out[1] && $out[0] !~ /^ERR/,
    "\n  proxy:  $out[0]\n  direct: $out[1]");
}
$d->do("DROP TABLE IF EXISTS ck_pl_ps");
$d->do("CREATE TABLE ck_pl_ps (id INT AUTO_INCREMENT PRIMARY KEY, a INT, b DOUBLE, c DECIMAL(65,30),
  s VARCHAR(50), bl BLOB, dt DATE, dtm DATETIME(6), n INT) DEFAULT CHARSET=utf8mb4");
for my $dbh ($ps, $ds) {
  my $sth = $dbh->prepare("INSERT INTO ck_pl_ps (a, b, c, s, bl, dt, dtm, n) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  for my $i (1 .. 3) {  # re-executed with new values
    $sth->execute($i, $i / 3, "$i.000000000000000000000000000001", "vé$i", "\x00$i", "2024-02-2$i",
      "2024-02-2$i 12:00:00.00000$i", undef) or check("server-side INSERT execute", 0, $sth->errstr);
  }
}
same("rows from re-executed server-side INSERT identical", $p, $d,
  "/* switchyard:route=master */ SELECT a, b, c, s, HEX(bl), dt, dtm, n, COUNT(*) FROM ck_pl_ps GROUP BY a, b, c, s, bl, dt, dtm, n ORDER BY a");
check("both runs stored 3 rows each", value($d, "SELECT COUNT(*) FROM ck_pl_ps") == 6);
same("server-side prepared SELECT with placeholders identical", $ps, $ds,
  "/* switchyard:route=master */ SELECT * FROM ck_pl_ps WHERE a >= ? AND s LIKE ? ORDER BY id", 2, 'v%');
same("text PREPARE/EXECUTE identical", $p, $d,
  "PREPARE s1 FROM 'SELECT ? + 1, ?'; SET \@a = 41, \@b = 'x'; EXECUTE s1 USING \@a, \@b; DEALLOCATE PREPARE s1");

# --- multi-statements ---------------------------------------------------------------------------------
my $multi = results($p, "SELECT 1 AS a; SELECT 2 AS b, 3 AS c; DO 0; SELECT 'x' AS d");
check("multi-statement result sets", $multi =~ /^1:1\n.*^1:2\t1:3\n.*\{rows=0\}.*^1:x\n/ms, $multi);
same("multi-statements identical", $p, $d, "SELECT 1 AS a; SELECT 2 AS b, 3 AS c; DO 0; SELECT 'x' AS d");
my $pm = results($p, "SELECT 1 AS a; SELECT * FROM no_such_table; SELECT 3");
my $dm = results($d, "SELECT 1 AS a; SELECT * FROM no_such_table; SELECT 3");
check("multi-statement stopping at an error identical", $pm eq $dm && $pm =~ /ERR 1146/, "\n  proxy:  $pm\n  direct: $dm");
check("connection usable after a failed multi-statement", value($p, "SELECT 5") eq '5');

# --- transactions -------------------------------------------------------------------------------------
$p->do("DROP TABLE IF EXISTS ck_pl_tx");
$p->do("CREATE TABLE ck_pl_tx (id INT PRIMARY KEY)");
$p->begin_work;
$p->do("INSERT INTO ck_pl_tx VALUES (1)");
check("statements inside a transaction run on the master", value($p, "SELECT \@\@server_id") eq '1');
$p->rollback;
$p->begin_work;
$p->do("INSERT INTO ck_pl_tx VALUES (2)");
$p->commit;
{
  local $p->{AutoCommit} = 0;
  $p->do("INSERT INTO ck_pl_tx VALUES (3)");
  $p->rollback;
}
check("rollback discards, commit keeps", value($d, "SELECT GROUP_CONCAT(id) FROM ck_pl_tx") eq '2',
  value($d, "SELECT GROUP_CONCAT(id) FROM ck_pl_tx"));
$d->do("DROP TABLE ck_pl_tx");

# --- errors ---------------------------------------------------------------------------------------------
for my $sql ("SELECT * FROM no_such_table", "SELEC 1", "INSERT INTO ck_pl_types (id) VALUES (1)",
             "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'custom', MYSQL_ERRNO = 1644") {
  my @e;
  for my $dbh ($p, $d) { $dbh->do($sql); push @e, join('|', $dbh->err // '', $dbh->state // '', $dbh->errstr // ''); }
  check("error code/SQLSTATE/message identical: $sql", $e[0] eq $e[1] && $e[0] =~ /^\d+\|/, "proxy $e[0]; direct $e[1]");
}
my @se;
for my $dbh ($ps, $ds) {
  my $sth = $dbh->prepare("SELECT * FROM no_such_table WHERE id = ?");
  push @se, join('|', $dbh->err // '', $dbh->state // '', $dbh->errstr // '');
}
check("server-side prepare error identical", $se[0] eq $se[1] && $se[0] =~ /^1146\|/, "proxy $se[0]; direct $se[1]");

# --- KILL QUERY -------------------------------------------------------------------------------------------
my $victim = connect_to($PROXY) or die $DBI::errstr;
my $victim_id = $victim->{mariadb_thread_id};
my $t0 = time;
$victim->do("SELECT SLEEP(30)", { mariadb_async => 1 });
sleep 0.5;
my $t_kill = time;
check("KILL QUERY $victim_id (mariadb_thread_id) accepted", $p->do("KILL QUERY $victim_id"), $p->errstr);
my $res = $victim->mariadb_async_result;
my $after = time - $t_kill;
my $slept = $t_kill - $t0;
check(sprintf("KILL QUERY cancels SLEEP(30) within a second (%.3f s after KILL, %.3f s asleep before)", $after, $slept),
  $after < 1.0 && $slept >= 0.5 && (($victim->err // 0) == 1317 || ($res // '') eq '1'),
  "result " . ($res // 'undef') . " err " . ($victim->err // '') . " " . ($victim->errstr // ''));
check("killed session still usable", value($victim, "SELECT 7") eq '7');
$victim->disconnect;

# --- LOAD DATA LOCAL INFILE ---------------------------------------------------------------------------------
my $file = "$TMP/perl_load.tsv";
open(my $fh, '>', $file) or die $!;
print $fh "$_\trow $_\n" for 0 .. 99999;
close $fh;
$p->do("DROP TABLE IF EXISTS ck_pl_load");
$p->do("CREATE TABLE ck_pl_load (id INT PRIMARY KEY, v VARCHAR(32))");
my $n = $p->do("LOAD DATA LOCAL INFILE '$file' INTO TABLE ck_pl_load");
check("LOAD DATA LOCAL INFILE accepted", defined $n && $n == 100000, $p->errstr // $n);
check("LOAD DATA LOCAL INFILE 100k rows", value($d, "SELECT CONCAT(COUNT(*), ' ', SUM(id)) FROM ck_pl_load") eq '100000 4999950000');
$d->do("DROP TABLE ck_pl_load");
unlink $file;

# --- TLS ----------------------------------------------------------------------------------------------------
if ($TLS) {
  # Verifying the certificate (CA file = the proxy's self-signed cert) makes libmariadb send its
  # TLS ClientHello right behind the SSLRequest; five connects, each must succeed promptly.
  my ($ok, $slow, $err) = (0, 0, '');
  for (1 .. 5) {
    my $t0 = time;
    my $t = connect_to($PROXY, mariadb_ssl => 1, mariadb_ssl_verify_server_cert => 1,
      mariadb_ssl_ca_file => "$TMP/server.pem", mariadb_connect_timeout => 3);
    $slow++ if time - $t0 > 2;
    if ($t && defined $t->{mariadb_ssl_cipher} && value($t, "SELECT 42") eq '42') { $ok++; }
    else { $err = $DBI::errstr // ''; }
    $t->disconnect if $t;
  }
  check("TLS connect with server certificate verification, 5 of 5", $ok == 5, "$ok of 5 ($slow slow): $err");
  my $t = connect_to($PROXY, mariadb_ssl => 1, mariadb_ssl_optional => 1);
  check("TLS connect without verification", $t && defined $t->{mariadb_ssl_cipher}, $DBI::errstr);
  check("query over TLS", $t && value($t, "SELECT 42") eq '42');
}

$d->do("DROP TABLE IF EXISTS ck_pl_types, ck_pl_ps");
print "[perl_dbd] $passed passed, $failed failed\n";
exit($failed ? 1 : 0);
