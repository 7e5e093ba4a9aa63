#include "resilient/failover/content.h"

#include <gtest/gtest.h>

using namespace resilient;
using namespace resilient::failover;

namespace {

/* A 16x9 grid: a moving picture (frame n shifts a gradient), a still one,
 * and black with a little noise under the threshold. */
std::vector<std::uint8_t>
moving (int n)
{
  std::vector<std::uint8_t> g (144);
  for (int i = 0; i < 144; i++)
    g[i] = (std::uint8_t) (40 + (i * 7 + n * 13) % 180);
  return g;
}

std::vector<std::uint8_t>
black (int n)
{
  std::vector<std::uint8_t> g (144, 16);
  g[n % 144] = 20;
  return g;
}

ContentConfig
config ()
{
  ContentConfig c;
  c.black = ms (2000);
  c.frozen = ms (3000);
  c.silence = ms (4000);
  return c;
}

} // namespace

TEST (ContentMonitor, LivePictureAndSoundAreNeverAFault)
{
  ContentMonitor m (config ());
  for (int n = 0; n < 600; n++) { /* 60 s at 10 samples/s */
    m.on_video (ms (100) * n, moving (n));
    m.on_audio (ms (100) * n, -20.0);
    ASSERT_FALSE (m.judge (ms (100) * n)) << n;
  }
  EXPECT_TRUE (m.alive ());
}

TEST (ContentMonitor, BlackForItsDurationIsAFaultFromWhenItBegan)
{
  ContentMonitor m (config ());
  m.on_video (ms (0), moving (0));
  for (int n = 1; n <= 20; n++)
    m.on_video (ms (100) * n, black (n));
  EXPECT_FALSE (m.alive ());
  EXPECT_FALSE (m.judge (ms (2099)));
  auto f = m.judge (ms (2100));
  ASSERT_TRUE (f);
  EXPECT_EQ (f->reason, Failure::BlackVideo);
  EXPECT_STREQ (failure_name (f->reason), "black");
  EXPECT_EQ (f->since, ms (100));
  EXPECT_EQ (f->lasted, ms (2000));
  /* A dark scene with one lit spot is not black. */
  auto dark = black (0);
  dark[70] = 90;
  m.on_video (ms (2200), dark);
  EXPECT_FALSE (m.judge (ms (2200)));
  EXPECT_TRUE (m.alive ());
}

TEST (ContentMonitor, ARepeatedFrameIsFrozenButBlackIsNotAlsoFrozen)
{
  ContentMonitor m (config ());
  m.on_video (ms (0), moving (0));
  for (int n = 1; n <= 40; n++)
    m.on_video (ms (100) * n, moving (1)); /* the same frame from 100 ms */
  auto f = m.judge (ms (4000));
  ASSERT_TRUE (f);
  EXPECT_EQ (f->reason, Failure::FrozenVideo);
  EXPECT_EQ (f->since, ms (200)); /* the first repeat */
  /* Alive again at the next moving frame. */
  m.on_video (ms (4100), moving (2));
  EXPECT_TRUE (m.alive ());
  EXPECT_FALSE (m.judge (ms (4100)));

  ContentMonitor b (config ());
  for (int n = 0; n <= 40; n++)
    b.on_video (ms (100) * n, std::vector<std::uint8_t> (144, 16));
  ASSERT_TRUE (b.judge (ms (4000)));
  EXPECT_EQ (b.judge (ms (4000))->reason, Failure::BlackVideo);
}

TEST (ContentMonitor, SilenceCountsOnlyWhenEnabled)
{
  ContentMonitor m (config ());
  for (int n = 0; n <= 40; n++)
    m.on_audio (ms (100) * n, n < 5 ? -12.0 : -90.0);
  auto f = m.judge (ms (4500));
  ASSERT_TRUE (f);
  EXPECT_EQ (f->reason, Failure::SilentAudio);
  EXPECT_EQ (f->since, ms (500));

  ContentConfig off = config ();
  off.silence = Duration::zero (); /* the element's default */
  m.set_config (off);
  EXPECT_FALSE (m.judge (ms (60000)));
  EXPECT_TRUE (m.alive ());
}
