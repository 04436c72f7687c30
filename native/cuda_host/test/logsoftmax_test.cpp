// The chunked log-softmax tail (logits_init/chunk/finish, and logits_rank's second sweep) on the emulated device
// against a double-precision reference over the whole vocabulary: the target's log-prob, the entropy, the top-k
// (ties towards the smaller id) and the target's rank (1 + the logits strictly above it, ties sharing a rank), for chunk sizes that do not divide the vocabulary, a leading dimension wider than the chunk, k = 0, k larger
// than a chunk, and rows whose logits are far apart in scale.
#include "op_test.h"

#include <algorithm>
#include <numeric>

using namespace op_test;

namespace {

struct Reference {
    std::vector<double> logprob, entropy;
    std::vector<int> rank;
    std::vector<std::vector<std::pair<double, int>>> top;
};

Reference reference(const std::vector<float>& logits, int rows, int vocab, const std::vector<int>& targets, int k) {
    Reference ref;
    for (int r = 0; r < rows; r++) {
        const float* l = &logits[static_cast<size_t>(r) * vocab];
        double m = *std::max_element(l, l + vocab), z = 0;
        for (int v = 0; v < vocab; v++) z += std::exp(l[v] - m);
        double log_z = m + std::log(z), h = 0;
        for (int v = 0; v < vocab; v++) {
            double lp = l[v] - log_z;
            h -= std::exp(lp) * lp;
        }
        ref.logprob.push_back(l[targets[r]] - log_z);
        ref.entropy.push_back(h);
        ref.rank.push_back(1 + static_cast<int>(std::count_if(l, l + vocab, [&](float x) { return x > l[targets[r]]; })));
        std::vector<int> ids(vocab);
        std::iota(ids.begin(), ids.end(), 0);
        std::stable_sort(ids.begin(), ids.end(), [&](int a, int b) { return l[a] > l[b]; });
        std::vector<std::pair<double, int>> top;
        for (int j = 0; j < k; j++) top.emplace_back(l[ids[j]] - log_z, ids[j]);
        ref.top.push_back(top);
    }
    return ref;
}

void run(int rows, int vocab, int chunk, int ld, int k, std::mt19937& rng) {
    std::normal_distribution<float> normal;
    std::vector<float> logits(static_cast<size_t>(rows) * vocab);
    for (int r = 0; r < rows; r++) {
        float scale = r % 3 == 0 ? 0.01f : r % 3 == 1 ? 3.0f : 30.0f;   // nearly flat, typical, very peaked
        for (int v = 0; v < vocab; v++) logits[static_cast<size_t>(r) * vocab + v] = scale * normal(rng);
        if (vocab > 40) {   // ties across chunk boundaries: the smaller id must come first
            logits[static_cast<size_t>(r) * vocab + 3] = logits[static_cast<size_t>(r) * vocab + vocab - 2] = 100.0f * scale;
        }
    }
    std::vector<int> targets_host(rows);
    for (int r = 0; r < rows; r++) targets_host[r] = r == 0 ? vocab - 1 : (r * 977) % vocab;
    if (vocab > 40 && rows > 1) targets_host[1] = vocab - 2;   // tied with id 3 at the top: rank 1, shared
    Reference want = reference(logits, rows, vocab, targets_host, k);

    Guarded<float> state(4 * static_cast<size_t>(rows)), top_val(static_cast<size_t>(rows) * std::max(k, 1));
    Guarded<int> top_id(static_cast<size_t>(rows) * std::max(k, 1)), targets(rows), rank(rows);
    Guarded<float> chunk_buf(static_cast<size_t>(rows) * ld), logprob(rows), entropy(rows), top_lp(static_cast<size_t>(rows) * std::max(k, 1));
    for (int r = 0; r < rows; r++) targets[r] = targets_host[r];
    std::string label = "rows=" + std::to_string(rows) + " vocab=" + std::to_string(vocab) + " chunk=" + std::to_string(chunk) +
                        " ld=" + std::to_string(ld) + " k=" + std::to_string(k);
    unsigned row_blocks = (rows + 255) / 256;
    check(launch("logits_init_f32", row_blocks, 256, 0, rows, state.data(), top_val.data(), top_id.data(), k) == 0, label + ": init");
    for (int start = 0; start < vocab; start += chunk) {
        int cols = std::min(chunk, vocab - start);
        for (int r = 0; r < rows; r++)   // what cuBLAS would write: this chunk's columns, row stride ld
            for (int c = 0; c < cols; c++) chunk_buf[static_cast<size_t>(r) * ld + c] = logits[static_cast<size_t>(r) * vocab + start + c];
        check(launch("logits_chunk_f32", rows, 256, 0, (const float*) chunk_buf.data(), ld, cols, start, (const int*) targets.data(),
                     state.data(), top_val.data(), top_id.data(), k) == 0, label + ": chunk: " + cuda_host_last_error());
    }
    for (int start = 0; start < vocab; start += chunk) {   // the second sweep: the same chunks again
        int cols = std::min(chunk, vocab - start);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) chunk_buf[static_cast<size_t>(r) * ld + c] = logits[static_cast<size_t>(r) * vocab + start + c];
        check(launch("logits_rank_f32", rows, 256, 0, (const float*) chunk_buf.data(), ld, cols, start, (const float*) state.data(),
                     rank.data()) == 0, label + ": rank: " + cuda_host_last_error());
    }
    check(launch("logits_finish_f32", row_blocks, 256, 0, rows, (const float*) state.data(), (const float*) top_val.data(), k,
                 logprob.data(), entropy.data(), k > 0 ? top_lp.data() : nullptr) == 0, label + ": finish");
    double worst_lp = 0, worst_h = 0, worst_top = 0;
    bool ids_match = true, ranks_match = true;
    for (int r = 0; r < rows; r++) {
        ranks_match &= rank[r] == want.rank[r];
        worst_lp = std::max(worst_lp, std::fabs(logprob[r] - want.logprob[r]));
        worst_h = std::max(worst_h, std::fabs(entropy[r] - want.entropy[r]));
        for (int j = 0; j < k; j++) {
            ids_match &= top_id[static_cast<size_t>(r) * k + j] == want.top[r][j].second;
            worst_top = std::max(worst_top, std::fabs(top_lp[static_cast<size_t>(r) * k + j] - want.top[r][j].first));
        }
    }
    // fp32 log-softmax of logits up to ~3000 in size: a few ulps of the largest logit.
    check(worst_lp <= 2e-4 && worst_top <= 2e-4, label + ": max |Δ logprob| " + std::to_string(worst_lp) + ", top " + std::to_string(worst_top));
    check(worst_h <= 1e-4, label + ": max |Δ entropy| " + std::to_string(worst_h));
    check(ids_match, label + ": top-k ids (ties towards the smaller id)");
    check(ranks_match, label + ": ranks");
    if (vocab > 40 && rows > 1) check(rank[1] == 1, label + ": a target tied at the top has rank 1");
    check(state.guards_intact() && top_val.guards_intact() && top_id.guards_intact() && chunk_buf.guards_intact() &&
          logprob.guards_intact() && entropy.guards_intact() && top_lp.guards_intact() && rank.guards_intact(), label + ": guards");
}

}  // namespace

int main() {
    std::mt19937 rng(3);
    run(1, 1, 1, 1, 1, rng);
    run(4, 1000, 256, 256, 5, rng);
    run(5, 1000, 1000, 1024, 20, rng);
    run(3, 777, 7, 9, 10, rng);      // k larger than a chunk
    run(6, 5003, 512, 600, 0, rng);  // no top-k
    run(2, 151936 / 16, 4096, 4096, 64, rng);   // the largest k the kernel takes
    return finish("logsoftmax");
}
