#include "resilient/failover/flv_meta.h"

#include <algorithm>
#include <cstring>
#include <string_view>

namespace resilient::failover {

namespace {

/* Bounds-checked big-endian reads over one AMF0 body. */
struct Reader
{
  const std::uint8_t *p;
  std::size_t n;

  bool skip (std::size_t k)
  {
    if (k > n)
      return false;
    p += k;
    n -= k;
    return true;
  }
  bool u8 (std::uint8_t &v)
  {
    if (n < 1)
      return false;
    v = p[0];
    return skip (1);
  }
  bool u16 (std::uint32_t &v)
  {
    if (n < 2)
      return false;
    v = (std::uint32_t (p[0]) << 8) | p[1];
    return skip (2);
  }
  bool u32 (std::uint32_t &v)
  {
    if (n < 4)
      return false;
    v = (std::uint32_t (p[0]) << 24) | (std::uint32_t (p[1]) << 16)
        | (std::uint32_t (p[2]) << 8) | p[3];
    return skip (4);
  }
  /* A UTF-8 string with a 16-bit length (AMF0 keys and short strings). */
  bool str16 (std::string_view &s)
  {
    std::uint32_t len = 0;
    if (!u16 (len) || len > n)
      return false;
    s = std::string_view (reinterpret_cast<const char *> (p), len);
    return skip (len);
  }
};

/* AMF0 nesting deeper than this is not metadata. */
constexpr int kMaxDepth = 16;

bool skip_value (Reader &r, int depth);

/* Key/value pairs up to the empty key and object-end marker; with
 * `lenient_end`, the end of the body also ends them (ECMA arrays whose
 * writer left the marker out). `on_key` sees every key. */
template <typename OnKey>
bool
read_pairs (Reader &r, int depth, bool lenient_end, OnKey on_key)
{
  for (;;) {
    if (lenient_end && r.n == 0)
      return true;
    std::string_view key;
    if (!r.str16 (key))
      return false;
    if (key.empty ()) {
      std::uint8_t marker = 0;
      if (!r.u8 (marker))
        return lenient_end;
      return marker == 0x09;
    }
    on_key (key, r);
    if (!skip_value (r, depth + 1))
      return false;
  }
}

bool
skip_value (Reader &r, int depth)
{
  if (depth > kMaxDepth)
    return false;
  std::uint8_t type = 0;
  if (!r.u8 (type))
    return false;
  std::uint32_t len = 0;
  std::string_view s;
  auto no_key = [] (std::string_view, const Reader &) {};
  switch (type) {
  case 0x00: /* number */
    return r.skip (8);
  case 0x01: /* boolean */
    return r.skip (1);
  case 0x02: /* string */
    return r.str16 (s);
  case 0x03: /* object */
    return read_pairs (r, depth, false, no_key);
  case 0x05: /* null */
  case 0x06: /* undefined */
    return true;
  case 0x07: /* reference */
    return r.skip (2);
  case 0x08: /* ECMA array: a count, then pairs as an object */
    return r.u32 (len) && read_pairs (r, depth, false, no_key);
  case 0x0a: /* strict array */
    if (!r.u32 (len) || len > r.n)
      return false; /* every value takes a byte at least */
    for (std::uint32_t i = 0; i < len; i++)
      if (!skip_value (r, depth + 1))
        return false;
    return true;
  case 0x0b: /* date: milliseconds and a time zone */
    return r.skip (10);
  case 0x0c: /* long string */
  case 0x0f: /* XML document */
    return r.u32 (len) && r.skip (len);
  case 0x10: /* typed object: a class name, then pairs */
    return r.str16 (s) && read_pairs (r, depth, false, no_key);
  default:
    return false;
  }
}

/* Whether a codec id value names a codec: a number above 0 (FLV's ids;
 * servers that rewrite the metadata, nginx-rtmp and MediaMTX, write 0 for
 * a stream they do not carry; audio id 0, platform-endian PCM, is not sent
 * over RTMP in practice) or a non-empty string ("avc1", "mp4a"). */
bool
names_codec (Reader r)
{
  std::uint8_t type = 0;
  if (!r.u8 (type))
    return false;
  if (type == 0x02) {
    std::string_view s;
    return r.str16 (s) && !s.empty ();
  }
  if (type != 0x00 || r.n < 8)
    return false;
  std::uint64_t bits = 0;
  for (int i = 0; i < 8; i++)
    bits = (bits << 8) | r.p[i];
  double v;
  std::memcpy (&v, &bits, sizeof v);
  return v > 0; /* NaN is not */
}

bool
read_string (Reader &r, std::string_view &s)
{
  std::uint8_t type = 0;
  return r.u8 (type) && type == 0x02 && r.str16 (s);
}

std::uint32_t
be24 (const std::uint8_t *p)
{
  return (std::uint32_t (p[0]) << 16) | (std::uint32_t (p[1]) << 8) | p[2];
}

} // namespace

std::optional<FlvStreams>
flv_metadata_streams (const std::uint8_t *data, std::size_t size)
{
  Reader r{ data, size };
  std::string_view name;
  if (!read_string (r, name))
    return std::nullopt;
  if (name == "@setDataFrame" && !read_string (r, name))
    return std::nullopt;
  if (name != "onMetaData")
    return std::nullopt;
  std::uint8_t type = 0;
  std::uint32_t count = 0;
  if (!r.u8 (type))
    return std::nullopt;
  if (type == 0x08 && !r.u32 (count))
    return std::nullopt;
  if (type != 0x08 && type != 0x03)
    return std::nullopt;
  FlvStreams streams;
  auto on_key = [&] (std::string_view key, const Reader &value) {
    if (key == "videocodecid")
      streams.video = names_codec (value);
    else if (key == "audiocodecid")
      streams.audio = names_codec (value);
  };
  if (!read_pairs (r, 0, type == 0x08, on_key))
    return std::nullopt;
  return streams;
}

FlvMetaScan::Verdict
FlvMetaScan::feed (const std::uint8_t *data, std::size_t size)
{
  while (verdict_ == Verdict::Reading && size > 0) {
    const std::size_t take = std::min (size, need_ - pending_.size ());
    scanned_ += take;
    if (scanned_ > kFlvMetaMaxScan) {
      verdict_ = Verdict::None;
      break;
    }
    pending_.insert (pending_.end (), data, data + take);
    data += take;
    size -= take;
    if (pending_.size () < need_)
      break;
    if (!header_done_) {
      /* "FLV", version, flags, header size; then PreviousTagSize0. */
      if (pending_[0] != 'F' || pending_[1] != 'L' || pending_[2] != 'V') {
        verdict_ = Verdict::None;
        break;
      }
      const std::uint32_t offset = (std::uint32_t (pending_[5]) << 24)
                                   | be24 (&pending_[6]);
      if (offset < 9 || offset > 1024) {
        verdict_ = Verdict::None;
        break;
      }
      if (need_ < offset + 4) {
        need_ = offset + 4;
        continue;
      }
      header_done_ = true;
    } else if (need_ == 11) {
      /* A tag header: type (filter bit, 5-bit type), data size. */
      const std::uint8_t type = pending_[0];
      const std::uint32_t data_size = be24 (&pending_[1]);
      if (type != 18 || data_size > kFlvMetaMaxTag) {
        verdict_ = Verdict::None; /* media (or anything) before metadata */
        break;
      }
      need_ = 11 + data_size + 4;
      continue;
    } else {
      verdict_ = on_tag ();
    }
    pending_.clear ();
    need_ = 11;
  }
  return verdict_;
}

FlvMetaScan::Verdict
FlvMetaScan::on_tag ()
{
  const std::uint32_t data_size = be24 (&pending_[1]);
  auto found = flv_metadata_streams (pending_.data () + 11, data_size);
  if (!found)
    return Verdict::Reading; /* another script tag: read on */
  streams_ = *found;
  return Verdict::Found;
}

} // namespace resilient::failover
