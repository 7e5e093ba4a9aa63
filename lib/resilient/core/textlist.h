/* gst-resilient: the one splitter of the lists users type into properties
 * (URI lists, host lists, encoder and codec names). */
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace resilient {

/* The pieces of `text` between any of the characters of `separators`;
 * empty pieces are dropped. */
std::vector<std::string> split_words (std::string_view text,
                                      std::string_view separators);

} // namespace resilient
