// Classifying one image (lenet predict, the studio's canvas and views) and a data set (lenet
// eval, the trainer, the studio's gallery): bookkeeping, agreement of the two, early stop.
#include "lenet/evaluate.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stop_token>

#include "lenet/parallel.h"
#include "lenet/presets.h"
#include "support/synthetic_digits.h"

using lenet::Dataset;
using lenet::Network;
using lenet::test::syntheticDigits;

TEST(Evaluate, ConfusionMatrixAccountsForEverySample) {
    const Dataset data = syntheticDigits(150, 4);
    for (const char* name : {"lenet5-1998", "lenet5-modern"}) {
        SCOPED_TRACE(name);
        Network net(lenet::preset(name));
        net.initialize(2);
        for (const lenet::Range r : {lenet::Range{}, lenet::Range{10, 60}}) {
            const lenet::Evaluation ev = lenet::evaluate(net, data, 2, r);
            const int count = r.size() > 0 ? r.size() : data.size();
            ASSERT_EQ(ev.count, count);
            ASSERT_EQ(ev.classes, 10);
            ASSERT_EQ(ev.confusion.size(), 100u);
            ASSERT_EQ(ev.predictions.size(), std::size_t(count));
            int total = 0, trace = 0, wrong = 0;
            for (int t = 0; t < 10; ++t) {
                for (int p = 0; p < 10; ++p) total += ev.confusion[t * 10 + p];
                trace += ev.confusion[t * 10 + t];
            }
            const int first = r.size() > 0 ? r.begin : 0;
            for (int i = 0; i < count; ++i) wrong += ev.predictions[i] != data.labels[first + i];
            EXPECT_EQ(total, count);
            EXPECT_EQ(ev.errors, count - trace);
            EXPECT_EQ(ev.errors, wrong);
            EXPECT_DOUBLE_EQ(ev.error(), double(ev.errors) / count);
            EXPECT_TRUE(std::isfinite(ev.loss));
            // The threads take batches in turn, each with its own copy of the network (batch
            // norm's statistics): every output bit is the same on one thread.
            const lenet::Evaluation serial = lenet::evaluate(net, data, 1, r);
            EXPECT_EQ(serial.outputs, ev.outputs);
            EXPECT_EQ(serial.predictions, ev.predictions);
            EXPECT_EQ(serial.loss, ev.loss);
        }
    }
}

TEST(Evaluate, AgreesWithClassifyingEachImage) {
    const Dataset data = syntheticDigits(40, 6);
    for (const char* name : {"lenet5-1998", "lenet5-modern"}) {
        SCOPED_TRACE(name);
        Network net(lenet::preset(name));
        net.initialize(3);
        const lenet::Evaluation ev = lenet::evaluate(net, data, 2);
        ASSERT_EQ(ev.confidence.size(), std::size_t(data.size()));
        lenet::Workspace ws;
        for (int i = 0; i < data.size(); ++i) {
            const lenet::Classification c =
                lenet::classify(net, lenet::toInk(data.image(i), data.rows, data.cols), ws);
            ASSERT_EQ(c.outputs.size(), 10u);
            ASSERT_EQ(c.scores.size(), 10u);
            EXPECT_EQ(c.predicted, ev.predictions[i]) << "image " << i;
            // A batch of 40 and a batch of 1 take different kernel paths: the last bits differ.
            EXPECT_NEAR(c.scores[std::size_t(c.predicted)], ev.confidence[i], 1e-4f) << i;
            float sum = 0.0f;
            for (float s : c.scores) sum += s;
            EXPECT_NEAR(sum, 1.0f, 1e-5f);
            // ws keeps every layer's output of the image for the views that draw them.
            ASSERT_EQ(int(ws.acts.size()), net.layerCount() + 1);
            EXPECT_EQ(ws.acts.back().data()[0], c.outputs[0]);
        }
    }
}

TEST(Evaluate, StopsEarlyWhenAsked) {
    const Dataset data = syntheticDigits(600, 7);
    Network net(lenet::preset("lenet5-modern"));
    net.initialize(1);
    std::stop_source stop;
    stop.request_stop();
    const lenet::Evaluation ev = lenet::evaluate(net, data, 1, {}, stop.get_token());
    EXPECT_EQ(ev.count, 0);
    EXPECT_TRUE(ev.predictions.empty());
    EXPECT_TRUE(ev.confidence.empty());
    EXPECT_EQ(ev.errors, 0);
}

TEST(Evaluate, MoreThreadsThanCoresRunQuietlyOnTheCores) {
    const Dataset data = syntheticDigits(100, 8);
    Network net(lenet::preset("lenet5-modern"));
    net.initialize(4);
    // oneTBB used to print "TBB Warning: The number of workers is currently limited..." here.
    testing::internal::CaptureStderr();
    const lenet::Evaluation many = lenet::evaluate(net, data, lenet::hardwareThreads() + 2);
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
    EXPECT_EQ(many.outputs, lenet::evaluate(net, data, 1).outputs);
}
