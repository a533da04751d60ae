#include "terminal.h"

#include <termios.h>
#include <unistd.h>

#include <iostream>

namespace codex_manager::cli {

bool ReadLine(const std::string& prompt, bool secret, std::string* line) {
  termios before{};
  const bool hide =
      secret && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &before) == 0;
  if (hide) {
    // TCSANOW: what was typed ahead stays to be read.
    termios quiet = before;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::cerr << prompt << std::flush;
  const bool read = static_cast<bool>(std::getline(std::cin, *line));
  if (hide) {
    tcsetattr(STDIN_FILENO, TCSANOW, &before);
    std::cerr << "\n";
  }
  if (read && !line->empty() && line->back() == '\r') line->pop_back();
  return read;
}

}  // namespace codex_manager::cli
