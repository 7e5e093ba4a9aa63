#include "resilient/server/input.h"

#include <gtest/gtest.h>

using namespace resilient;
using namespace resilient::server;

TEST (ServerInput, RawIsEncodedOnItsOwnPad)
{
  EXPECT_EQ (choose_input ("video/x-raw", true, Codec::H264).kind,
             InputKind::Raw);
  EXPECT_EQ (choose_input ("audio/x-raw", false, Codec::Opus).kind,
             InputKind::Raw);
}

TEST (ServerInput, TheServedCodecPassesAsItIs)
{
  EXPECT_EQ (choose_input ("video/x-h264", true, Codec::H264).kind,
             InputKind::Encoded);
  EXPECT_EQ (choose_input ("video/x-vp8", true, Codec::VP8).kind,
             InputKind::Encoded);
  EXPECT_EQ (choose_input ("audio/x-opus", false, Codec::Opus).kind,
             InputKind::Encoded);
}

TEST (ServerInput, AnotherCodecIsRefusedNamingBoth)
{
  InputChoice c = choose_input ("video/x-h265", true, Codec::H264);
  EXPECT_EQ (c.kind, InputKind::Unsupported);
  EXPECT_NE (c.reason.find ("H265"), std::string::npos) << c.reason;
  EXPECT_NE (c.reason.find ("H264"), std::string::npos) << c.reason;
  EXPECT_NE (c.reason.find ("video-codec"), std::string::npos) << c.reason;
  c = choose_input ("audio/mpeg", false, Codec::Opus);
  EXPECT_EQ (c.kind, InputKind::Unsupported);
  EXPECT_NE (c.reason.find ("AAC"), std::string::npos) << c.reason;
  EXPECT_NE (c.reason.find ("audio/x-opus"), std::string::npos) << c.reason;
}

TEST (ServerInput, WrongKindOrUnknownCapsAreRefused)
{
  EXPECT_EQ (choose_input ("audio/x-raw", true, Codec::H264).kind,
             InputKind::Unsupported);
  EXPECT_EQ (choose_input ("audio/x-opus", true, Codec::H264).kind,
             InputKind::Unsupported);
  InputChoice c = choose_input ("image/jpeg", true, Codec::VP8);
  EXPECT_EQ (c.kind, InputKind::Unsupported);
  EXPECT_NE (c.reason.find ("image/jpeg"), std::string::npos) << c.reason;
  EXPECT_NE (c.reason.find ("video/x-vp8"), std::string::npos) << c.reason;
}
