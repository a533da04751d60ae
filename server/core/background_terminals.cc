#include "core/background_terminals.h"

#include <cmath>
#include <limits>

#include "common/json_access.h"
#include "common/utf8.h"

namespace codex_manager {
namespace {

using json = nlohmann::json;

std::string Text(const json& obj, const char* key) {
  return SafeText(StringMember(obj, key), kMaxTerminalTextBytes);
}

// A non-negative integer member no larger than `max`; unset otherwise.
std::optional<uint64_t> Count(const json& obj, const char* key, uint64_t max) {
  const json& value = Member(obj, key);
  if (value.is_number_unsigned()) {
    const uint64_t n = value.get<uint64_t>();
    if (n <= max) return n;
  } else if (value.is_number_integer()) {
    const int64_t n = value.get<int64_t>();
    if (n >= 0 && static_cast<uint64_t>(n) <= max) return n;
  }
  return std::nullopt;
}

}  // namespace

std::vector<BackgroundTerminal> BackgroundTerminalsOf(const json& result) {
  std::vector<BackgroundTerminal> out;
  for (const json& t : ArrayMember(result, "data")) {
    if (out.size() >= kMaxListedTerminals) break;
    BackgroundTerminal terminal;
    terminal.process_id = Text(t, "processId");
    if (terminal.process_id.empty()) continue;
    terminal.item_id = Text(t, "itemId");
    terminal.command = Text(t, "command");
    terminal.cwd = Text(t, "cwd");
    if (std::optional<uint64_t> pid =
            Count(t, "osPid", std::numeric_limits<uint32_t>::max())) {
      terminal.os_pid = static_cast<uint32_t>(*pid);
    }
    terminal.rss_kib =
        Count(t, "rssKb", std::numeric_limits<uint64_t>::max());
    const json& cpu = Member(t, "cpuPercent");
    if (cpu.is_number() && std::isfinite(cpu.get<double>()) &&
        cpu.get<double>() >= 0) {
      terminal.cpu_percent = cpu.get<double>();
    }
    out.push_back(std::move(terminal));
  }
  return out;
}

}  // namespace codex_manager
