#include "resilient/core/textlist.h"

namespace resilient {

std::vector<std::string>
split_words (std::string_view text, std::string_view separators)
{
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size ()) {
    std::size_t j = text.find_first_of (separators, i);
    if (j == std::string_view::npos)
      j = text.size ();
    if (j > i)
      out.emplace_back (text.substr (i, j - i));
    i = j + 1;
  }
  return out;
}

} // namespace resilient
