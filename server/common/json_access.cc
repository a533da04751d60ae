#include "common/json_access.h"

#include <cstdint>

#include "common/utf8.h"

namespace codex_manager {

using json = nlohmann::json;

const json& Member(const json& obj, absl::string_view key) {
  static const json* const kNull = new json();
  if (!obj.is_object()) return *kNull;
  auto it = obj.find(std::string(key));
  return it == obj.end() ? *kNull : *it;
}

const json& ObjectMember(const json& obj, absl::string_view key) {
  static const json* const kEmpty = new json(json::object());
  const json& m = Member(obj, key);
  return m.is_object() ? m : *kEmpty;
}

const json& ArrayMember(const json& obj, absl::string_view key) {
  static const json* const kEmpty = new json(json::array());
  const json& m = Member(obj, key);
  return m.is_array() ? m : *kEmpty;
}

std::optional<std::string> WholeStringMember(const json& obj,
                                             absl::string_view key,
                                             size_t max_bytes) {
  const json& m = Member(obj, key);
  if (!m.is_string()) return std::nullopt;
  const std::string& text = m.get_ref<const std::string&>();
  if (text.empty() || text.size() > max_bytes || ToValidUtf8(text) != text) {
    return std::nullopt;
  }
  return text;
}

std::string StringMember(const json& obj, absl::string_view key) {
  const json& m = Member(obj, key);
  return m.is_string() ? m.get_ref<const std::string&>() : std::string();
}

int64_t IntMember(const json& obj, absl::string_view key, int64_t fallback) {
  const json& m = Member(obj, key);
  if (m.is_number_unsigned()) {
    const uint64_t u = m.get<uint64_t>();
    return u > static_cast<uint64_t>(INT64_MAX) ? fallback
                                                 : static_cast<int64_t>(u);
  }
  if (m.is_number_integer()) return m.get<int64_t>();
  if (m.is_number_float()) {
    const double d = m.get<double>();
    // The range check also refuses NaN.
    if (d > -9.2e18 && d < 9.2e18) return static_cast<int64_t>(d);
  }
  return fallback;
}

bool BoolMember(const json& obj, absl::string_view key, bool fallback) {
  const json& m = Member(obj, key);
  return m.is_boolean() ? m.get<bool>() : fallback;
}

}  // namespace codex_manager
