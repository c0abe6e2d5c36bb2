// Helpers shared by the binlog tests: locating the testdata folder, loading manifest.json,
// decoding a whole file into events (the file bytes are kept alive next to the events), and
// reading the reference mariadb-binlog decodes (gzip ones are read through `gzip -dc`).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "binlog/binlog_file.h"
#include "binlog/event_decoder.h"

namespace switchyard::binlog::testing {

inline std::filesystem::path TestdataDir() {
  if (const char* env = std::getenv("SWITCHYARD_TESTDATA_DIR")) {
    return std::filesystem::path(env) / "binlog";
  }
  std::filesystem::path macro = std::filesystem::path(SWITCHYARD_TESTDATA_DIR) / "binlog";
  if (std::filesystem::exists(macro)) return macro;
  return "/work/shared/testdata/binlog";
}

// A decoder primed with the FORMAT_DESCRIPTION (first event) of a testdata file.
inline EventDecoder PrimedDecoder(const char* file) {
  EventDecoder d;
  auto data = ReadWholeFile((TestdataDir() / file).string());
  EXPECT_TRUE(data.ok());
  BinlogFileReader r(*data);
  auto raw = r.Next();
  EXPECT_TRUE(raw.ok() && *raw);
  EXPECT_TRUE(d.Decode((*raw)->bytes, 4).ok());
  return d;
}

inline nlohmann::json LoadManifest() {
  std::ifstream in(TestdataDir() / "manifest.json");
  return nlohmann::json::parse(in);
}

struct DecodedEvent {
  uint64_t offset;
  Event event;
  std::vector<Event> inner;  // TRANSACTION_PAYLOAD contents
};

struct DecodedFile {
  std::shared_ptr<std::vector<uint8_t>> bytes;
  bool has_magic = false;
  std::vector<DecodedEvent> events;
  std::optional<std::string> error;
};

inline DecodedFile DecodeFile(const std::filesystem::path& path) {
  DecodedFile out;
  auto data = ReadWholeFile(path.string());
  if (!data.ok()) {
    out.error = data.error().message;
    return out;
  }
  out.bytes = std::make_shared<std::vector<uint8_t>>(std::move(*data));
  BinlogFileReader reader(*out.bytes);
  out.has_magic = reader.has_magic();
  EventDecoder decoder;
  while (true) {
    auto raw = reader.Next();
    if (!raw.ok()) {
      out.error = raw.error().message;
      break;
    }
    if (!*raw) break;
    auto ev = decoder.Decode((*raw)->bytes, (*raw)->offset);
    if (!ev.ok()) {
      out.error = ev.error().message;
      break;
    }
    DecodedEvent de{(*raw)->offset, std::move(*ev), {}};
    if (auto* p = std::get_if<TransactionPayloadEvent>(&de.event.body)) {
      auto inner = decoder.DecodePayloadEvents(*p, de.offset);
      if (!inner.ok()) {
        out.error = inner.error().message;
        break;
      }
      de.inner = std::move(*inner);
    }
    out.events.push_back(std::move(de));
  }
  return out;
}

inline std::string ReadText(const std::filesystem::path& path) {
  if (path.extension() == ".gz") {
    std::string cmd = "gzip -dc '" + path.string() + "'";
    std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), &pclose);
    std::string text;
    if (!p) return text;
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p.get())) > 0) text.append(buf, n);
    return text;
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace switchyard::binlog::testing
