// Type-checked reads of JSON from outside the process (a Codex child's
// JSON-RPC messages). nlohmann's `value()`, `get<>()` and `operator[]` throw
// (or assert) when a member has an unexpected type or the value is not an
// object; these never do: a missing or mistyped member reads as empty.
#ifndef CODEX_MANAGER_SERVER_COMMON_JSON_ACCESS_H_
#define CODEX_MANAGER_SERVER_COMMON_JSON_ACCESS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace codex_manager {

// obj[key] when obj is an object that has it; a null value otherwise.
const nlohmann::json& Member(const nlohmann::json& obj, absl::string_view key);
// obj[key] when it is an object; an empty object otherwise.
const nlohmann::json& ObjectMember(const nlohmann::json& obj,
                                   absl::string_view key);
// obj[key] when it is an array; an empty array otherwise.
const nlohmann::json& ArrayMember(const nlohmann::json& obj,
                                  absl::string_view key);
// obj[key] when it is a string; "" otherwise.
std::string StringMember(const nlohmann::json& obj, absl::string_view key);
// obj[key] when it is a string of valid UTF-8, not empty and at most
// `max_bytes` long; nullopt otherwise. For text that must be kept whole or
// not at all (a path, a name to type back): cut or repaired, it would name
// something else.
std::optional<std::string> WholeStringMember(const nlohmann::json& obj,
                                             absl::string_view key,
                                             size_t max_bytes);
// obj[key] when it is an integer, or a float within int64 range (cut
// toward zero); `fallback` otherwise.
int64_t IntMember(const nlohmann::json& obj, absl::string_view key,
                  int64_t fallback = 0);
// obj[key] when it is a boolean; `fallback` otherwise.
bool BoolMember(const nlohmann::json& obj, absl::string_view key,
                bool fallback = false);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_COMMON_JSON_ACCESS_H_
