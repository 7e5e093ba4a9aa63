#include "resilient/restore/destination_list.h"

namespace resilient::restore {

DestinationList::DestinationList (std::vector<std::string> uris,
                                  Duration holdoff)
    : uris_ (std::move (uris)), failed_in_round_ (uris_.size (), false),
      holdoff_ (holdoff)
{
}

std::optional<size_t>
DestinationList::on_failure (TimePoint now)
{
  if (uris_.empty ())
    return std::nullopt;
  failed_in_round_[active_] = true;
  for (size_t i = 1; i <= uris_.size (); i++) {
    size_t j = (active_ + i) % uris_.size ();
    if (!failed_in_round_[j]) {
      active_ = j;
      last_switch_ = now;
      switches_++;
      return j;
    }
  }
  return std::nullopt;
}

size_t
DestinationList::start_round ()
{
  failed_in_round_.assign (uris_.size (), false);
  if (active_ != 0)
    switches_++;
  active_ = 0;
  return active_;
}

void
DestinationList::on_up (TimePoint now)
{
  failed_in_round_.assign (uris_.size (), false);
  if (active_ != 0 && !last_switch_)
    last_switch_ = now;
}

std::optional<TimePoint>
DestinationList::failback_due () const
{
  if (active_ == 0 || !last_switch_ || holdoff_ <= Duration::zero ())
    return std::nullopt;
  return *last_switch_ + holdoff_;
}

void
DestinationList::on_failback_failed (TimePoint now)
{
  last_switch_ = now;
}

void
DestinationList::on_failback_done (TimePoint now)
{
  active_ = 0;
  last_switch_ = now;
  switches_++;
  failed_in_round_.assign (uris_.size (), false);
}

} // namespace resilient::restore
