/* FlvMetaScan (which streams an FLV's onMetaData names) and
 * LoneStreamWatch (when a one-stream FLV's demuxer is told no more pads
 * come). */
#include "resilient/failover/lone_stream.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace resilient::failover;

namespace {

using Bytes = std::vector<std::uint8_t>;

void
put_u16 (Bytes &b, std::uint32_t v)
{
  b.push_back (v >> 8);
  b.push_back (v & 0xff);
}

void
put_u24 (Bytes &b, std::uint32_t v)
{
  b.push_back (v >> 16);
  put_u16 (b, v & 0xffff);
}

void
put_u32 (Bytes &b, std::uint32_t v)
{
  put_u16 (b, v >> 16);
  put_u16 (b, v & 0xffff);
}

void
put_str (Bytes &b, const std::string &s) /* AMF0 string value */
{
  b.push_back (0x02);
  put_u16 (b, s.size ());
  b.insert (b.end (), s.begin (), s.end ());
}

void
put_key (Bytes &b, const std::string &k)
{
  put_u16 (b, k.size ());
  b.insert (b.end (), k.begin (), k.end ());
}

/* AMF0 number 7.0 (FLV's AVC id), or 0.0. */
void
put_number (Bytes &b, bool zero = false)
{
  b.push_back (0x00);
  const std::uint8_t seven[8] = { 0x40, 0x1c, 0, 0, 0, 0, 0, 0 };
  for (int i = 0; i < 8; i++)
    b.push_back (zero ? 0 : seven[i]);
}

/* onMetaData as flvmux, OBS and ffmpeg write it: an ECMA array with a
 * nested object, a string and a strict array around the codec ids. */
Bytes
metadata (bool video, bool audio, bool set_data_frame = false)
{
  Bytes b;
  if (set_data_frame)
    put_str (b, "@setDataFrame");
  put_str (b, "onMetaData");
  b.push_back (0x08);
  put_u32 (b, 5);
  put_key (b, "duration");
  put_number (b);
  put_key (b, "encoder");
  put_str (b, "GStreamer FLV muxer");
  put_key (b, "extra");
  b.push_back (0x03);
  put_key (b, "list");
  b.push_back (0x0a);
  put_u32 (b, 2);
  put_number (b);
  b.push_back (0x05);
  put_key (b, "");
  b.push_back (0x09);
  if (video) {
    put_key (b, "videocodecid");
    put_number (b);
  }
  if (audio) {
    put_key (b, "audiocodecid");
    put_number (b);
  }
  put_key (b, "");
  b.push_back (0x09);
  return b;
}

void
put_tag (Bytes &b, std::uint8_t type, const Bytes &data)
{
  b.push_back (type);
  put_u24 (b, data.size ());
  put_u32 (b, 0); /* timestamp, extension */
  put_u24 (b, 0);
  b.insert (b.end (), data.begin (), data.end ());
  put_u32 (b, 11 + data.size ());
}

/* An FLV as rtmp2src makes it: header, script tags, a video tag. */
Bytes
flv (const std::vector<Bytes> &scripts)
{
  Bytes b = { 'F', 'L', 'V', 1, 1, 0, 0, 0, 9, 0, 0, 0, 0 };
  for (auto &s : scripts)
    put_tag (b, 18, s);
  put_tag (b, 9, Bytes (20, 0x17));
  return b;
}

FlvMetaScan::Verdict
scan_in_pieces (FlvMetaScan &s, const Bytes &b, std::size_t piece)
{
  FlvMetaScan::Verdict v = FlvMetaScan::Verdict::Reading;
  for (std::size_t i = 0; i < b.size (); i += piece)
    v = s.feed (b.data () + i, std::min (piece, b.size () - i));
  return v;
}

} // namespace

TEST (FlvMetaScan, NamesTheStreamsOfOnMetaDataAtAnyBufferBoundaries)
{
  for (std::size_t piece : { 1, 3, 11, 4096 }) {
    FlvMetaScan video_only;
    EXPECT_EQ (scan_in_pieces (video_only, flv ({ metadata (true, false) }),
                               piece),
               FlvMetaScan::Verdict::Found) << piece;
    EXPECT_TRUE (video_only.streams ().video);
    EXPECT_FALSE (video_only.streams ().audio);
    FlvMetaScan both;
    scan_in_pieces (both, flv ({ metadata (true, true, true) }), piece);
    EXPECT_EQ (both.verdict (), FlvMetaScan::Verdict::Found) << piece;
    EXPECT_TRUE (both.streams ().video && both.streams ().audio);
  }
}

TEST (FlvMetaScan, OtherScriptTagsAreSkippedMediaFirstIsNone)
{
  Bytes cue;
  put_str (cue, "onCuePoint");
  FlvMetaScan later;
  EXPECT_EQ (scan_in_pieces (later, flv ({ cue, metadata (false, true) }), 7),
             FlvMetaScan::Verdict::Found);
  EXPECT_TRUE (later.streams ().audio && !later.streams ().video);

  FlvMetaScan none;
  EXPECT_EQ (scan_in_pieces (none, flv ({}), 5), FlvMetaScan::Verdict::None);
  FlvMetaScan only_cue;
  EXPECT_EQ (scan_in_pieces (only_cue, flv ({ cue }), 5),
             FlvMetaScan::Verdict::None);
}

TEST (FlvMetaScan, NotFlvTruncatedOrBrokenMetadataGiveNoStreams)
{
  FlvMetaScan ts;
  Bytes mpegts (188, 0x47);
  EXPECT_EQ (ts.feed (mpegts.data (), mpegts.size ()),
             FlvMetaScan::Verdict::None);

  /* A metadata body cut short inside its array. */
  Bytes m = metadata (true, false);
  m.resize (m.size () - 20);
  EXPECT_FALSE (flv_metadata_streams (m.data (), m.size ()));
  FlvMetaScan broken;
  EXPECT_EQ (scan_in_pieces (broken, flv ({ m }), 9),
             FlvMetaScan::Verdict::None); /* read on to the video tag */

  /* An unknown AMF0 type; nesting deeper than any metadata. */
  Bytes odd;
  put_str (odd, "onMetaData");
  odd.push_back (0x03);
  put_key (odd, "x");
  odd.push_back (0x42);
  EXPECT_FALSE (flv_metadata_streams (odd.data (), odd.size ()));
  Bytes deep;
  put_str (deep, "onMetaData");
  for (int i = 0; i < 40; i++) {
    deep.push_back (0x03);
    put_key (deep, "k");
  }
  EXPECT_FALSE (flv_metadata_streams (deep.data (), deep.size ()));

  /* A tag too large to be metadata. */
  Bytes huge = { 'F', 'L', 'V', 1, 1, 0, 0, 0, 9, 0, 0, 0, 0, 18 };
  put_u24 (huge, kFlvMetaMaxTag + 1);
  huge.resize (huge.size () + 7); /* timestamp, stream id */
  FlvMetaScan big;
  EXPECT_EQ (big.feed (huge.data (), huge.size ()), FlvMetaScan::Verdict::None);
}

/* nginx-rtmp rewrites the metadata it sends to players: an object with
 * both ids, 0 for the stream it does not carry (as dumped from nginx-rtmp
 * 1.2.2 relaying a video-only GStreamer publisher). */
TEST (FlvMetaScan, AZeroCodecIdOrAnEmptyStringNamesNoStream)
{
  Bytes m;
  put_str (m, "onMetaData");
  m.push_back (0x03);
  put_key (m, "Server");
  put_str (m, "NGINX RTMP (github.com/arut/nginx-rtmp-module)");
  put_key (m, "videocodecid");
  put_number (m);
  put_key (m, "audiodatarate");
  put_number (m, true);
  put_key (m, "audiocodecid");
  put_number (m, true);
  put_key (m, "");
  m.push_back (0x09);
  auto s = flv_metadata_streams (m.data (), m.size ());
  ASSERT_TRUE (s);
  EXPECT_TRUE (s->video);
  EXPECT_FALSE (s->audio);

  Bytes named;
  put_str (named, "onMetaData");
  named.push_back (0x03);
  put_key (named, "videocodecid");
  put_str (named, "avc1");
  put_key (named, "audiocodecid");
  put_str (named, "");
  put_key (named, "");
  named.push_back (0x09);
  s = flv_metadata_streams (named.data (), named.size ());
  ASSERT_TRUE (s);
  EXPECT_TRUE (s->video);
  EXPECT_FALSE (s->audio);
}

TEST (FlvMetaScan, AnEcmaArrayWithoutItsEndMarkerStillCounts)
{
  Bytes m = metadata (true, false);
  m.resize (m.size () - 3); /* the empty key and 0x09 left out */
  auto s = flv_metadata_streams (m.data (), m.size ());
  ASSERT_TRUE (s);
  EXPECT_TRUE (s->video);
}

TEST (LoneStreamWatch, OneNamedStreamIsDeclaredAtItsFirstUnit)
{
  LoneStreamWatch w;
  EXPECT_TRUE (w.open ());
  w.metadata ({ true, false });
  w.stream_added ();
  EXPECT_TRUE (w.on_unit ());
  EXPECT_TRUE (w.declared ());
  EXPECT_FALSE (w.open ());
  EXPECT_FALSE (w.on_unit ()); /* once */
}

TEST (LoneStreamWatch, BothNeitherOrNoMetadataLeaveItToTheDemuxer)
{
  LoneStreamWatch both;
  both.metadata ({ true, true });
  both.stream_added ();
  EXPECT_FALSE (both.open ());
  EXPECT_FALSE (both.on_unit ());

  LoneStreamWatch none; /* FlvMetaScan::Verdict::None */
  none.metadata ({});
  none.stream_added ();
  EXPECT_FALSE (none.on_unit ());

  LoneStreamWatch unknown; /* the verdict not in yet */
  unknown.stream_added ();
  EXPECT_FALSE (unknown.on_unit ());
  EXPECT_TRUE (unknown.open ());
}

TEST (LoneStreamWatch, ASecondStreamClosesIt)
{
  LoneStreamWatch w;
  w.metadata ({ true, false }); /* metadata that lied */
  w.stream_added ();
  w.stream_added ();
  EXPECT_FALSE (w.on_unit ());
  EXPECT_FALSE (w.open ());
}
