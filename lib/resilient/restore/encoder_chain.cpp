#include "resilient/restore/encoder_chain.h"

#include <algorithm>

namespace resilient::restore {

EncoderChain::EncoderChain (std::vector<EncoderCandidate> candidates,
                            std::vector<EncoderCandidate> fallback,
                            bool codec_fallback)
    : order_ (std::move (candidates)), primary_count_ (order_.size ()),
      codec_fallback_ (codec_fallback)
{
  for (auto &c : fallback)
    order_.push_back (std::move (c));
  failed_.assign (order_.size (), false);
}

std::optional<EncoderCandidate>
EncoderChain::pick (const Available &available,
                    const std::function<bool (const EncoderCandidate &)> &extra)
{
  auto codec_failed = [this] (const std::string &codec) {
    return std::find (failed_codecs_.begin (), failed_codecs_.end (), codec)
           != failed_codecs_.end ();
  };
  /* Same codec as the current one first, then list order. */
  const std::string prefer
      = current_ ? order_[*current_].codec : std::string ();
  for (int pass = 0; pass < 2; pass++) {
    for (size_t i = 0; i < order_.size (); i++) {
      if (failed_[i] || codec_failed (order_[i].codec))
        continue;
      if (i >= primary_count_ && !codec_fallback_)
        continue;
      if (pass == 0 && (prefer.empty () || order_[i].codec != prefer))
        continue;
      if (!extra (order_[i]))
        continue;
      if (!available (order_[i])) {
        failed_[i] = true;
        continue;
      }
      current_ = i;
      return order_[i];
    }
  }
  current_.reset ();
  return std::nullopt;
}

std::optional<EncoderCandidate>
EncoderChain::first (const Available &available)
{
  std::fill (failed_.begin (), failed_.end (), false);
  failed_codecs_.clear ();
  current_.reset ();
  /* The primary list in order; the fallback list only after a failure. */
  for (size_t i = 0; i < primary_count_; i++) {
    if (available (order_[i])) {
      current_ = i;
      return order_[i];
    }
    failed_[i] = true;
  }
  return std::nullopt;
}

std::optional<EncoderCandidate>
EncoderChain::on_start_failure (const Available &available)
{
  if (current_)
    failed_[*current_] = true;
  return pick (available, [] (const EncoderCandidate &) { return true; });
}

std::optional<EncoderCandidate>
EncoderChain::on_codec_failure (
    const Available &available,
    const std::function<bool (const std::string &)> &accepted)
{
  if (!codec_fallback_ || !current_)
    return std::nullopt;
  const std::string failed = order_[*current_].codec;
  failed_codecs_.push_back (failed);
  current_.reset ();
  return pick (available, [&] (const EncoderCandidate &c) {
    return c.codec != failed && accepted (c.codec);
  });
}

std::optional<EncoderCandidate>
EncoderChain::current () const
{
  if (!current_)
    return std::nullopt;
  return order_[*current_];
}

} // namespace resilient::restore
