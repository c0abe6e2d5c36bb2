// Protocol constants: CLIENT_* capability flags (64-bit: the low 32 bits are MySQL's, the high 32
// bits are MariaDB's extended capabilities), SERVER_STATUS_* flags, COM_* command bytes, column
// types, session-tracker types, and their names for logging. Values from the MySQL/MariaDB docs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace switchyard::wire {

using Capabilities = uint64_t;

namespace cap {
inline constexpr Capabilities kLongPassword = 1ull << 0;  // MariaDB calls it CLIENT_MYSQL
inline constexpr Capabilities kMysql = kLongPassword;
inline constexpr Capabilities kFoundRows = 1ull << 1;
inline constexpr Capabilities kLongFlag = 1ull << 2;
inline constexpr Capabilities kConnectWithDb = 1ull << 3;
inline constexpr Capabilities kNoSchema = 1ull << 4;
inline constexpr Capabilities kCompress = 1ull << 5;
inline constexpr Capabilities kOdbc = 1ull << 6;
inline constexpr Capabilities kLocalFiles = 1ull << 7;
inline constexpr Capabilities kIgnoreSpace = 1ull << 8;
inline constexpr Capabilities kProtocol41 = 1ull << 9;
inline constexpr Capabilities kInteractive = 1ull << 10;
inline constexpr Capabilities kSsl = 1ull << 11;
inline constexpr Capabilities kIgnoreSigpipe = 1ull << 12;
inline constexpr Capabilities kTransactions = 1ull << 13;
inline constexpr Capabilities kReserved = 1ull << 14;
inline constexpr Capabilities kSecureConnection = 1ull << 15;
inline constexpr Capabilities kMultiStatements = 1ull << 16;
inline constexpr Capabilities kMultiResults = 1ull << 17;
inline constexpr Capabilities kPsMultiResults = 1ull << 18;
inline constexpr Capabilities kPluginAuth = 1ull << 19;
inline constexpr Capabilities kConnectAttrs = 1ull << 20;
inline constexpr Capabilities kPluginAuthLenencClientData = 1ull << 21;
inline constexpr Capabilities kCanHandleExpiredPasswords = 1ull << 22;
inline constexpr Capabilities kSessionTrack = 1ull << 23;
inline constexpr Capabilities kDeprecateEof = 1ull << 24;
inline constexpr Capabilities kOptionalResultsetMetadata = 1ull << 25;
inline constexpr Capabilities kZstdCompressionAlgorithm = 1ull << 26;
inline constexpr Capabilities kQueryAttributes = 1ull << 27;
inline constexpr Capabilities kMultiFactorAuthentication = 1ull << 28;
inline constexpr Capabilities kCapabilityExtension = 1ull << 29;
inline constexpr Capabilities kSslVerifyServerCert = 1ull << 30;
inline constexpr Capabilities kRememberOptions = 1ull << 31;
// MariaDB extended capabilities (sent in otherwise reserved bytes when CLIENT_MYSQL is unset).
inline constexpr Capabilities kMariadbProgress = 1ull << 32;
inline constexpr Capabilities kMariadbComMulti = 1ull << 33;
inline constexpr Capabilities kMariadbStmtBulkOperations = 1ull << 34;
inline constexpr Capabilities kMariadbExtendedMetadata = 1ull << 35;
inline constexpr Capabilities kMariadbCacheMetadata = 1ull << 36;
inline constexpr Capabilities kMariadbBulkUnitResults = 1ull << 37;

inline constexpr Capabilities kMariadbExtendedMask = 0xFFFFFFFF00000000ull;
}  // namespace cap

inline constexpr bool Has(Capabilities caps, Capabilities flag) {
  return (caps & flag) == flag;
}

// "PROTOCOL_41|SSL|..." with unknown bits as hex, for logs.
std::string CapabilityNames(Capabilities caps);

namespace status {
inline constexpr uint16_t kInTrans = 1;
inline constexpr uint16_t kAutocommit = 2;
inline constexpr uint16_t kMoreResultsExists = 8;
inline constexpr uint16_t kNoGoodIndexUsed = 16;
inline constexpr uint16_t kNoIndexUsed = 32;
inline constexpr uint16_t kCursorExists = 64;
inline constexpr uint16_t kLastRowSent = 128;
inline constexpr uint16_t kDbDropped = 256;
inline constexpr uint16_t kNoBackslashEscapes = 512;
inline constexpr uint16_t kMetadataChanged = 1024;
inline constexpr uint16_t kQueryWasSlow = 2048;
inline constexpr uint16_t kPsOutParams = 4096;
inline constexpr uint16_t kInTransReadonly = 8192;
inline constexpr uint16_t kSessionStateChanged = 16384;
}  // namespace status

std::string StatusFlagNames(uint16_t flags);

enum class Command : uint8_t {
  kSleep = 0x00,
  kQuit = 0x01,
  kInitDb = 0x02,
  kQuery = 0x03,
  kFieldList = 0x04,
  kCreateDb = 0x05,
  kDropDb = 0x06,
  kRefresh = 0x07,
  kShutdown = 0x08,
  kStatistics = 0x09,
  kProcessInfo = 0x0A,
  kConnect = 0x0B,
  kProcessKill = 0x0C,
  kDebug = 0x0D,
  kPing = 0x0E,
  kTime = 0x0F,
  kDelayedInsert = 0x10,
  kChangeUser = 0x11,
  kBinlogDump = 0x12,
  kTableDump = 0x13,
  kConnectOut = 0x14,
  kRegisterSlave = 0x15,
  kStmtPrepare = 0x16,
  kStmtExecute = 0x17,
  kStmtSendLongData = 0x18,
  kStmtClose = 0x19,
  kStmtReset = 0x1A,
  kSetOption = 0x1B,
  kStmtFetch = 0x1C,
  kDaemon = 0x1D,
  kBinlogDumpGtid = 0x1E,  // MySQL
  kResetConnection = 0x1F,
  kClone = 0x20,            // MySQL
  kStmtBulkExecute = 0xFA,  // MariaDB
  kMulti = 0xFE,            // MariaDB
};

// "COM_QUERY", or "COM_0x42" for unknown values.
std::string CommandName(uint8_t command);
inline std::string CommandName(Command c) {
  return CommandName(static_cast<uint8_t>(c));
}

// Column / parameter types (enum_field_types).
enum class FieldType : uint8_t {
  kDecimal = 0,
  kTiny = 1,
  kShort = 2,
  kLong = 3,
  kFloat = 4,
  kDouble = 5,
  kNull = 6,
  kTimestamp = 7,
  kLongLong = 8,
  kInt24 = 9,
  kDate = 10,
  kTime = 11,
  kDateTime = 12,
  kYear = 13,
  kNewDate = 14,
  kVarchar = 15,
  kBit = 16,
  kTimestamp2 = 17,
  kDateTime2 = 18,
  kTime2 = 19,
  kTypedArray = 20,
  kVector = 242,
  kInvalid = 243,
  kBool = 244,
  kJson = 245,
  kNewDecimal = 246,
  kEnum = 247,
  kSet = 248,
  kTinyBlob = 249,
  kMediumBlob = 250,
  kLongBlob = 251,
  kBlob = 252,
  kVarString = 253,
  kString = 254,
  kGeometry = 255,
};

// Column definition flags.
namespace column_flag {
inline constexpr uint16_t kNotNull = 1;
inline constexpr uint16_t kPrimaryKey = 2;
inline constexpr uint16_t kUniqueKey = 4;
inline constexpr uint16_t kMultipleKey = 8;
inline constexpr uint16_t kBlob = 16;
inline constexpr uint16_t kUnsigned = 32;
inline constexpr uint16_t kZerofill = 64;
inline constexpr uint16_t kBinary = 128;
inline constexpr uint16_t kEnum = 256;
inline constexpr uint16_t kAutoIncrement = 512;
inline constexpr uint16_t kTimestamp = 1024;
inline constexpr uint16_t kSet = 2048;
}  // namespace column_flag

// Session state tracker entry types (OK packet, CLIENT_SESSION_TRACK).
enum class SessionTrackType : uint8_t {
  kSystemVariables = 0,
  kSchema = 1,
  kStateChange = 2,
  kGtids = 3,
  kTransactionCharacteristics = 4,
  kTransactionState = 5,
};

// Charset ids used by default.
inline constexpr uint8_t kCharsetUtf8mb4GeneralCi = 45;
inline constexpr uint8_t kCharsetBinary = 63;

inline constexpr std::string_view kNativePasswordPlugin = "mysql_native_password";
inline constexpr std::string_view kCachingSha2Plugin = "caching_sha2_password";
inline constexpr std::string_view kClearPasswordPlugin = "mysql_clear_password";

}  // namespace switchyard::wire
