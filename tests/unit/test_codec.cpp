/* The one codec table: every lookup direction agrees with the others. */
#include "resilient/core/codec.h"

#include <gtest/gtest.h>

#include <string>

using namespace resilient;

TEST (CodecTable, RowsAreInEnumOrderAndLookupsRoundTrip)
{
  for (int i = 0; i <= static_cast<int> (Codec::PCMA); i++) {
    const CodecInfo &c = codec_info (static_cast<Codec> (i));
    EXPECT_EQ (static_cast<int> (c.codec), i) << c.name;
    EXPECT_EQ (codec_by_caps_name (c.caps_name), &c) << c.name;
    EXPECT_EQ (codec_by_name (c.name), &c) << c.name;
    EXPECT_EQ (codec_by_name (c.encoding_name), &c) << c.name;
    EXPECT_NE (c.payloader, nullptr) << c.name;
    EXPECT_NE (c.depayloader, nullptr) << c.name;
    EXPECT_EQ (c.video, std::string (c.caps_name).rfind ("video/", 0) == 0);
  }
}

TEST (CodecTable, NamesAreCaseInsensitiveAndUnknownsAreNull)
{
  ASSERT_NE (codec_by_name ("H264"), nullptr);
  EXPECT_EQ (codec_by_name ("H264")->codec, Codec::H264);
  EXPECT_EQ (codec_by_name ("Opus")->codec, Codec::Opus);
  EXPECT_EQ (codec_by_name ("vP8")->codec, Codec::VP8);
  EXPECT_EQ (codec_by_caps_name ("audio/mpeg")->codec, Codec::AAC);
  EXPECT_EQ (codec_by_caps_name ("video/x-raw"), nullptr);
  EXPECT_EQ (codec_by_caps_name ("video/x-h26"), nullptr);
  EXPECT_EQ (codec_by_name (""), nullptr);
  EXPECT_EQ (codec_by_name ("h2640"), nullptr);
  EXPECT_EQ (codec_by_name ("theora"), nullptr);
}

TEST (CodecTable, ParsersAreThoseAPublishPipelineNeeds)
{
  EXPECT_STREQ (codec_info (Codec::H264).parser, "h264parse");
  EXPECT_STREQ (codec_info (Codec::AAC).parser, "aacparse");
  EXPECT_STREQ (codec_info (Codec::Opus).parser, "opusparse");
  EXPECT_EQ (codec_info (Codec::VP8).parser, nullptr);
  EXPECT_EQ (codec_info (Codec::Opus).clock_rate, 48000u);
  EXPECT_EQ (codec_info (Codec::PCMU).clock_rate, 8000u);
}
