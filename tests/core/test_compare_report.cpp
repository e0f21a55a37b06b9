// The results table of `lenet compare` read back from its CSV (the studio's runs table opens
// it): a round trip, quoted names, and files that are not such a table.
#include "lenet/compare_report.h"

#include <gtest/gtest.h>

#include <string>

#include "lenet/error.h"

namespace {

lenet::CompareRow row(const std::string& name, double best) {
    lenet::CompareRow r;
    r.variant = name;
    r.parameters = 61706;
    r.runs = 2;
    r.epochs = 3;
    r.bestTestError = {best, best - 0.001, best + 0.001};
    r.finalTestError = {best + 0.002, best, best + 0.004};
    r.finalTrainLoss = 0.125;
    r.secondsPerEpoch = 12.5;
    r.imagesPerSecond = 4800;
    r.earlyStop = "2,3";
    r.diverged = 1;
    return r;
}

void expectFailure(const std::string& text, const std::string& phrase) {
    try {
        lenet::readCsvTable(text, "results.csv");
        ADD_FAILURE() << "no error for: " << text;
    } catch (const lenet::FormatError& e) {
        EXPECT_NE(std::string(e.what()).find(phrase), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("results.csv:"), std::string::npos) << e.what();
    }
}

}  // namespace

TEST(CompareReport, CsvTableReadsBackAsWritten) {
    const std::vector<lenet::CompareRow> rows{row("lenet5-modern", 0.0125),
                                              row("lenet5, \"quoted\"", 0.02)};
    const std::string csv = lenet::csvTable(rows);
    const std::vector<lenet::CompareRow> read = lenet::readCsvTable(csv, "results.csv");
    ASSERT_EQ(read.size(), 2u);
    EXPECT_EQ(read[1].variant, "lenet5, \"quoted\"");
    EXPECT_EQ(read[0].earlyStop, "2,3");
    EXPECT_EQ(read[0].parameters, 61706);
    EXPECT_DOUBLE_EQ(read[0].bestTestError.mean, 0.0125);
    EXPECT_EQ(lenet::csvTable(read), csv);
    EXPECT_EQ(lenet::markdownTable(read), lenet::markdownTable(rows));
    EXPECT_TRUE(lenet::readCsvTable(lenet::csvTable({}), "results.csv").empty());
}

TEST(CompareReport, CsvTableOfAGridReadsBackWithItsKeys) {
    std::vector<lenet::CompareRow> rows{row("lr=0.05 batch=32", 0.0125),
                                        row("lr=0.1 batch=32", 0.02)};
    rows[0].settings = {{"lr", "0.05"}, {"batch", "32"}};
    rows[1].settings = {{"lr", "0.1"}, {"batch", "32"}};
    const std::string csv = lenet::csvTable(rows);
    ASSERT_EQ(csv.rfind("variant,lr,batch,parameters,", 0), 0u) << csv;
    const std::vector<lenet::CompareRow> read = lenet::readCsvTable(csv, "results.csv");
    ASSERT_EQ(read.size(), 2u);
    EXPECT_EQ(read[1].settings, rows[1].settings);
    EXPECT_EQ(read[1].parameters, 61706);
    EXPECT_EQ(lenet::csvTable(read), csv);
}

TEST(CompareReport, CsvTableRejectsOtherFiles) {
    const std::string csv = lenet::csvTable({row("a", 0.01)});
    const std::string header = csv.substr(0, csv.find('\n') + 1);
    expectFailure("", "empty");
    expectFailure("plot,run,variant,series,x,y\n", "header");
    expectFailure(header + "a,1,2\n", "3 fields");
    std::string notNumber = csv;
    notNumber.replace(notNumber.find("61706"), 5, "many");
    expectFailure(notNumber, "parameters is not a number");
    expectFailure(header + "\"open,1\n", "quote");
}
