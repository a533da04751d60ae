#include "terminal.h"

#include <termios.h>
#include <unistd.h>

#include <iostream>

namespace codex_manager::cli {

bool ReadLine(bool secret, std::string* line) {
  termios before{};
  const bool hide =
      secret && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &before) == 0;
  if (hide) {
    termios quiet = before;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  const bool read = static_cast<bool>(std::getline(std::cin, *line));
  if (hide) {
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &before);
    std::cerr << "\n";
  }
  if (read && !line->empty() && line->back() == '\r') line->pop_back();
  return read;
}

}  // namespace codex_manager::cli
