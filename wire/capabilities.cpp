#include "wire/capabilities.h"

#include <fmt/format.h>

namespace switchyard::wire {

namespace {
constexpr std::string_view kCapNames[38] = {"LONG_PASSWORD",
                                            "FOUND_ROWS",
                                            "LONG_FLAG",
                                            "CONNECT_WITH_DB",
                                            "NO_SCHEMA",
                                            "COMPRESS",
                                            "ODBC",
                                            "LOCAL_FILES",
                                            "IGNORE_SPACE",
                                            "PROTOCOL_41",
                                            "INTERACTIVE",
                                            "SSL",
                                            "IGNORE_SIGPIPE",
                                            "TRANSACTIONS",
                                            "RESERVED",
                                            "SECURE_CONNECTION",
                                            "MULTI_STATEMENTS",
                                            "MULTI_RESULTS",
                                            "PS_MULTI_RESULTS",
                                            "PLUGIN_AUTH",
                                            "CONNECT_ATTRS",
                                            "PLUGIN_AUTH_LENENC_CLIENT_DATA",
                                            "CAN_HANDLE_EXPIRED_PASSWORDS",
                                            "SESSION_TRACK",
                                            "DEPRECATE_EOF",
                                            "OPTIONAL_RESULTSET_METADATA",
                                            "ZSTD_COMPRESSION_ALGORITHM",
                                            "QUERY_ATTRIBUTES",
                                            "MULTI_FACTOR_AUTHENTICATION",
                                            "CAPABILITY_EXTENSION",
                                            "SSL_VERIFY_SERVER_CERT",
                                            "REMEMBER_OPTIONS",
                                            "MARIADB_PROGRESS",
                                            "MARIADB_COM_MULTI",
                                            "MARIADB_STMT_BULK_OPERATIONS",
                                            "MARIADB_EXTENDED_METADATA",
                                            "MARIADB_CACHE_METADATA",
                                            "MARIADB_BULK_UNIT_RESULTS"};

constexpr std::string_view kStatusNames[15] = {"IN_TRANS",
                                               "AUTOCOMMIT",
                                               "0x4",
                                               "MORE_RESULTS_EXISTS",
                                               "NO_GOOD_INDEX_USED",
                                               "NO_INDEX_USED",
                                               "CURSOR_EXISTS",
                                               "LAST_ROW_SENT",
                                               "DB_DROPPED",
                                               "NO_BACKSLASH_ESCAPES",
                                               "METADATA_CHANGED",
                                               "QUERY_WAS_SLOW",
                                               "PS_OUT_PARAMS",
                                               "IN_TRANS_READONLY",
                                               "SESSION_STATE_CHANGED"};

constexpr std::string_view kCommandNames[0x21] = {"COM_SLEEP",
                                                  "COM_QUIT",
                                                  "COM_INIT_DB",
                                                  "COM_QUERY",
                                                  "COM_FIELD_LIST",
                                                  "COM_CREATE_DB",
                                                  "COM_DROP_DB",
                                                  "COM_REFRESH",
                                                  "COM_SHUTDOWN",
                                                  "COM_STATISTICS",
                                                  "COM_PROCESS_INFO",
                                                  "COM_CONNECT",
                                                  "COM_PROCESS_KILL",
                                                  "COM_DEBUG",
                                                  "COM_PING",
                                                  "COM_TIME",
                                                  "COM_DELAYED_INSERT",
                                                  "COM_CHANGE_USER",
                                                  "COM_BINLOG_DUMP",
                                                  "COM_TABLE_DUMP",
                                                  "COM_CONNECT_OUT",
                                                  "COM_REGISTER_SLAVE",
                                                  "COM_STMT_PREPARE",
                                                  "COM_STMT_EXECUTE",
                                                  "COM_STMT_SEND_LONG_DATA",
                                                  "COM_STMT_CLOSE",
                                                  "COM_STMT_RESET",
                                                  "COM_SET_OPTION",
                                                  "COM_STMT_FETCH",
                                                  "COM_DAEMON",
                                                  "COM_BINLOG_DUMP_GTID",
                                                  "COM_RESET_CONNECTION",
                                                  "COM_CLONE"};
}  // namespace

std::string CapabilityNames(Capabilities caps) {
  std::string out;
  for (int bit = 0; bit < 64; ++bit) {
    if (!(caps & (1ull << bit))) continue;
    if (!out.empty()) out += '|';
    if (bit < 38) {
      out += kCapNames[bit];
    } else {
      out += fmt::format("0x{:x}", 1ull << bit);
    }
  }
  return out;
}

std::string StatusFlagNames(uint16_t flags) {
  std::string out;
  for (int bit = 0; bit < 16; ++bit) {
    if (!(flags & (1u << bit))) continue;
    if (!out.empty()) out += '|';
    if (bit < 15) {
      out += kStatusNames[bit];
    } else {
      out += fmt::format("0x{:x}", 1u << bit);
    }
  }
  return out;
}

std::string CommandName(uint8_t command) {
  if (command < std::size(kCommandNames)) return std::string(kCommandNames[command]);
  if (command == 0xFA) return "COM_STMT_BULK_EXECUTE";
  if (command == 0xFE) return "COM_MULTI";
  return fmt::format("COM_0x{:02x}", command);
}

}  // namespace switchyard::wire
