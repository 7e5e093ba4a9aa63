/* gst-resilient: failoversrc mode=encoded, the filler's rules.
 *
 * While no candidate is healthy, an encoded output carries a slate: a
 * keyframe of black (or the fallback image) in the output's codec at the
 * output's resolution, and a packet of silence in its audio codec at its
 * rate and channels. Each is encoded once per output format, off the
 * streaming threads (a short-lived pipeline the control loop starts and
 * polls), then repeated with continuous timestamps while the output is on
 * filler. This class holds, per output stream, when to encode, when to
 * give an encoding up, which formats never to try again (no encoder), and
 * which of the encoded units to repeat next; the element carries the
 * pipeline out.
 *
 * Plain C++, times injected; unit-tested without a pipeline.
 */
#pragma once

#include "resilient/core/time.h"

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace resilient::failover {

struct SlateConfig
{
  /* A slate encoding not finished after this is abandoned (and reported
   * like a missing encoder): encoding two pictures and half a second of
   * silence takes well under a second on a loaded 2-core box, so this only
   * catches an encoder that hangs. */
  Duration encode_limit = ms (5000);
};

/* Video slate units go out at 5 per second (each a keyframe, its duration
 * the whole interval): a still picture needs no more, every unit costs a
 * downstream decoder a full keyframe decode, and the cut back to a
 * recovered candidate lands at most one interval after now. */
inline constexpr Duration kSlateVideoInterval = ms (200);

/* The cut back from filler to a candidate at `cut` (its keyframe's output
 * time; the audio filler goes on up to it): when the video slate's last
 * unit (at `last_video`) is more than a frame before the cut, one more
 * slate unit goes out a frame before it, and this is its time. Without it
 * the video pad would be quiet for up to kSlateVideoInterval before the
 * cut while a live muxer writes the audio filler on its own, and the caps
 * change at the candidate's keyframe would land behind that audio (flvmux
 * stamps the new codec-data tag with the video's previous unit's time:
 * "Got backwards dts" by up to the interval). nullopt: no unit needed (or
 * the video carried nothing). */
std::optional<TimePoint> closing_slate_at (std::optional<TimePoint> last_video,
                                           TimePoint cut, Duration frame);

class Slate
{
public:
  enum class Step {
    None,    /* nothing to start or stop */
    Encode,  /* start encoding a slate for the format */
    Abandon, /* the running encoding took too long: stop it, report it */
  };

  explicit Slate (SlateConfig config = {}) : config_ (config) {}

  /* At a loop tick: `format` describes the output stream's format (codec,
   * size or rate and channels; "" while the output has none). A format is
   * encoded once; one that failed is not tried again (its encoder will not
   * appear), until reset. Abandon counts as a failure of that format. */
  Step tick (const std::string &format, TimePoint now);

  /* The encoding started by Encode ended: `units` usable units (0: it
   * failed). True when this failure is the first of its format (to be
   * reported; later ones are not). */
  bool finished (std::size_t units);

  /* A slate is ready to repeat (possibly for an earlier format of the
   * stream, until the current one is encoded: a caps change at the filler
   * cut keeps it decodable). */
  bool ready () const { return units_ > 0; }
  /* The format the ready slate was made for. */
  const std::string &made_for () const { return made_; }
  bool encoding () const { return !running_.empty (); }

  /* Which of the slate's units goes out next: they take turns (two
   * consecutive H.264 IDR pictures should differ in idr_pic_id; an encoder
   * alternates it, so repeating its two keyframes in turn keeps that). */
  std::size_t next_unit ();

  void reset () { *this = Slate (config_); }

private:
  SlateConfig config_;
  std::string running_; /* the format being encoded */
  std::optional<TimePoint> started_;
  std::string made_;
  std::size_t units_ = 0;
  std::size_t next_ = 0;
  std::set<std::string> failed_;
};

/* Which units of an encoding to keep as the slate, by their keyframe
 * flags in output order. Video: its keyframes, at most two (a delta unit
 * repeated would not decode on its own). Audio: one packet from the middle
 * (an encoder's first packets carry its start-up, the last its flush
 * padding; the middle is steady-state silence). Empty: nothing usable. */
std::vector<std::size_t> slate_units (const std::vector<bool> &keyframe,
                                      bool video);

} // namespace resilient::failover
