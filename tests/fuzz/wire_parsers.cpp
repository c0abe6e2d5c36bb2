// Fuzzes every wire message decoder; the first input byte picks the decoder (and capabilities),
// the rest is the payload. Decoders must return Error on garbage, never crash or read OOB.
#include <cstddef>
#include <cstdint>

#include "wire/column_definition.h"
#include "wire/commands.h"
#include "wire/handshake.h"
#include "wire/ok_err_eof.h"
#include "wire/rows.h"

using namespace switchyard::wire;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  uint8_t selector = data[0];
  // Own copy so ASan sees the exact bound of the payload.
  Bytes payload(data + 1, data + size);
  Capabilities caps =
      cap::kProtocol41 | cap::kSecureConnection | cap::kPluginAuth | cap::kConnectAttrs;
  if (selector & 0x80) caps |= cap::kSessionTrack | cap::kDeprecateEof;
  if (selector & 0x40) caps |= cap::kMariadbExtendedMetadata;
  switch (selector & 0x1F) {
    case 0:
      (void)HandshakeV10::Decode(payload);
      break;
    case 1:
      (void)HandshakeResponse41::Decode(payload);
      break;
    case 2:
      (void)SslRequest::Decode(payload);
      break;
    case 3:
      (void)AuthSwitchRequest::Decode(payload);
      break;
    case 4:
      (void)AuthMoreData::Decode(payload);
      break;
    case 5:
      (void)OkPacket::Decode(payload, caps);
      break;
    case 6:
      (void)ErrPacket::Decode(payload);
      break;
    case 7:
      (void)EofPacket::Decode(payload);
      break;
    case 8:
      (void)ProgressReport::Decode(payload);
      break;
    case 9:
      (void)DecodeResultSetTerminator(payload, caps);
      break;
    case 10:
      (void)ColumnDefinition41::Decode(payload, caps, selector & 0x20);
      break;
    case 11:
      (void)DecodeTextRow(payload, payload.empty() ? 0 : payload[0] % 8);
      break;
    case 12: {
      std::vector<ValueType> types;
      for (size_t i = 0; i < 4 && i < payload.size(); ++i) {
        types.push_back({static_cast<FieldType>(payload[i]), (payload[i] & 1) != 0});
      }
      (void)DecodeBinaryRow(payload, types);
      break;
    }
    case 13: {
      uint16_t n = payload.empty() ? 0 : payload.back() % 16;
      std::vector<ValueType> prev(n, ValueType{FieldType::kLongLong, false});
      (void)ComStmtExecute::Decode(payload, n, (selector & 0x20) ? prev : std::vector<ValueType>{});
      break;
    }
    case 14:
      (void)ComChangeUser::Decode(payload, caps);
      break;
    case 15:
      (void)ComStmtSendLongData::Decode(payload);
      break;
    case 16:
      (void)ComStmtFetch::Decode(payload);
      break;
    case 17:
      (void)ComFieldList::Decode(payload);
      break;
    case 18:
      (void)ComQuery::Decode(payload);
      break;
    case 19: {
      (void)PeekStatementId(payload);
      (void)RewriteStatementId(payload, 7);
      break;
    }
    default: {
      // Round trip: whatever decodes must re-encode and decode again.
      auto ok = OkPacket::Decode(payload, caps);
      if (ok.ok()) {
        auto again = OkPacket::Decode(ok->Encode(caps), caps);
        if (!again.ok()) __builtin_trap();
      }
      break;
    }
  }
  return 0;
}
