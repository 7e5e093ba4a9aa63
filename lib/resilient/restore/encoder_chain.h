/* gst-resilient: which encoder to use next.
 *
 * The element is configured with an ordered list of video encoders (for
 * example "vah264enc,x264enc": hardware first) and, optionally, a codec to
 * fall back to when publishing with the first codec fails (the seed's
 * "change H264 to VP8"). Two different failures move along the chain:
 *
 * - the encoder failed to start (missing, no device, caps refused): take
 *   the next encoder in the list, same codec preferred;
 * - publishing with this codec failed (the server rejected or left out the
 *   codec, or the bitrate stayed at zero with it): take the first encoder of
 *   the fallback codec, if the destination accepts that codec.
 *
 * Encoders that are not installed are skipped (the element passes a
 * predicate). When nothing is left the chain is exhausted: a local error.
 */
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace resilient::restore {

struct EncoderCandidate
{
  std::string factory;
  /* Lower-case codec name: "h264", "vp8", "h265", ... */
  std::string codec;
};

class EncoderChain
{
public:
  using Available = std::function<bool (const EncoderCandidate &)>;

  /* `candidates` in order of preference; `fallback` are tried only after a
   * codec failure (and, when `codec_fallback` is false, never). */
  EncoderChain (std::vector<EncoderCandidate> candidates,
                std::vector<EncoderCandidate> fallback, bool codec_fallback);

  /* The first available candidate; nullopt when none is. */
  std::optional<EncoderCandidate> first (const Available &available);
  /* The current encoder failed to start: the next available one. */
  std::optional<EncoderCandidate> on_start_failure (const Available &available);
  /* Publishing with the current codec failed; `accepted` says which codecs
   * the destination takes. Returns the first available encoder of another
   * codec the destination accepts, from the fallback list. */
  std::optional<EncoderCandidate>
  on_codec_failure (const Available &available,
                    const std::function<bool (const std::string &)> &accepted);

  std::optional<EncoderCandidate> current () const;
  /* Codecs given up on so far. */
  const std::vector<std::string> &failed_codecs () const
  {
    return failed_codecs_;
  }

private:
  std::optional<EncoderCandidate>
  pick (const Available &available,
        const std::function<bool (const EncoderCandidate &)> &extra);

  std::vector<EncoderCandidate> order_;
  std::vector<bool> failed_;
  size_t primary_count_;
  bool codec_fallback_;
  std::optional<size_t> current_;
  std::vector<std::string> failed_codecs_;
};

} // namespace resilient::restore
