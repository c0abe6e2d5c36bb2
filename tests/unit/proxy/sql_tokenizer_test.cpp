#include "proxy/sql_tokenizer.h"

#include <gtest/gtest.h>

namespace switchyard::proxy {
namespace {
TEST(SqlTokenizer, Smoke) {
  SqlTokenizer t("SELECT 1");
  EXPECT_EQ(t.Next().text, "SELECT");
}
}  // namespace
}  // namespace switchyard::proxy
