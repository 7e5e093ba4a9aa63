/* gst-resilient: which streams an FLV says it carries, from its onMetaData.
 *
 * flvdemux cannot trust the FLV header's audio/video flags (rtmp2src
 * always writes "video only"; files lie both ways), so after its first
 * stream it waits up to 6 s of stream time for a second one
 * (NO_MORE_PADS_THRESHOLD), and decodebin2 exposes a demuxer's pads only at
 * its no-more-pads: a video-only or audio-only RTMP stream went on air 6-7 s
 * after its candidate started. The onMetaData script tag that encoders
 * send before their media (OBS, ffmpeg, GStreamer's flvmux; nginx-rtmp
 * keeps it and sends it to every player that joins) names the codec of
 * each stream it carries: `videocodecid`, `audiocodecid` (servers that
 * rewrite it, nginx-rtmp and MediaMTX, write both keys and 0 for a stream
 * they do not carry). When it names exactly one, no second stream comes.
 *
 * FlvMetaScan reads the FLV byte stream as a demuxer gets it (in order,
 * any buffer boundaries) up to the first script tag that carries
 * onMetaData, and says which streams it names. It gives up (Verdict::None)
 * on anything else first: a media tag before any metadata, bytes that are
 * not FLV, a tag larger than kFlvMetaMaxTag, kFlvMetaMaxScan bytes of
 * other script tags. Plain C++, no allocation beyond one tag; fuzzed
 * (tests/fuzz/fuzz_flv_meta.cpp).
 */
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace resilient::failover {

/* A script tag larger than this is not read (real onMetaData tags are a
 * few hundred bytes; OBS's with every field is under 1 KiB). */
inline constexpr std::size_t kFlvMetaMaxTag = 64 * 1024;
/* Bytes read before giving up when only script tags without onMetaData
 * come (a stream of cue points, say). */
inline constexpr std::size_t kFlvMetaMaxScan = 256 * 1024;

/* The streams an FLV's onMetaData names. */
struct FlvStreams
{
  bool video = false;
  bool audio = false;
};

class FlvMetaScan
{
public:
  enum class Verdict {
    Reading, /* more bytes needed */
    Found,   /* streams() holds what onMetaData names */
    None,    /* no usable onMetaData before the media */
  };

  /* The next bytes of the stream, in order. Returns the verdict so far;
   * once Found or None, further bytes are ignored. */
  Verdict feed (const std::uint8_t *data, std::size_t size);
  Verdict verdict () const { return verdict_; }
  FlvStreams streams () const { return streams_; }

private:
  Verdict on_tag ();

  Verdict verdict_ = Verdict::Reading;
  FlvStreams streams_;
  bool header_done_ = false;
  std::vector<std::uint8_t> pending_; /* the header or the current tag */
  std::size_t need_ = 13;             /* FLV header + first PreviousTagSize */
  std::size_t scanned_ = 0;
};

/* The streams an AMF0 script tag body names, when it is onMetaData
 * (optionally after "@setDataFrame"); nullopt otherwise or when it cannot
 * be parsed. */
std::optional<FlvStreams> flv_metadata_streams (const std::uint8_t *data,
                                                std::size_t size);

} // namespace resilient::failover
