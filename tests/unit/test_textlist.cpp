#include "resilient/core/textlist.h"

#include <gtest/gtest.h>

using resilient::split_words;
using V = std::vector<std::string>;

TEST (SplitWords, AnySeparatorSplitsAndEmptyPiecesAreDropped)
{
  EXPECT_EQ (split_words ("a | b|c  d", "| "), (V{ "a", "b", "c", "d" }));
  EXPECT_EQ (split_words ("||  |", "| "), V{});
  EXPECT_EQ (split_words ("", ","), V{});
  EXPECT_EQ (split_words ("x", ","), V{ "x" });
  /* a comma inside a URI stays when the comma does not separate */
  EXPECT_EQ (split_words ("srt://h:1?a=1,2 | rtmp://b", "| "),
             (V{ "srt://h:1?a=1,2", "rtmp://b" }));
  EXPECT_EQ (split_words ("x264enc,vp8enc", ", "), (V{ "x264enc", "vp8enc" }));
}
