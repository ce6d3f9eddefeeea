// Verify a published draw in the visitor's own browser (R9.2): download the published pool
// file, hash it, and re-run Rivest's SHA-256 sampler. Nothing here trusts the server's own
// computation: only the published file, seed and count are used, and the result is compared
// with the published selection file (selected.txt).
"use strict";

async function sha256hex(bytes) {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

// The k-th selected id is the pool's entry at the k-th distinct pick; pick i (from 1) is
// SHA-256("<seed>,<i>") read as a big-endian integer, modulo the pool size, plus 1.
async function rivestSelect(seed, ids, count) {
  const n = BigInt(ids.length);
  const encoder = new TextEncoder();
  const seen = new Set();
  const out = [];
  for (let i = 1; out.length < count; i += 1) {
    const hex = await sha256hex(encoder.encode(`${seed},${i}`));
    const position = Number(BigInt(`0x${hex}`) % n) + 1;
    if (!seen.has(position)) {
      seen.add(position);
      out.push(ids[position - 1]);
    }
  }
  return out;
}

// A weighted pool file (a task weighted by risk ranking): each line is "<id>\t<weight>".
// Pick i is SHA-256("<seed>,<i>") modulo the total weight W, r in 0..W-1; the pick is the first
// entry whose running total of weights exceeds r; repeats are skipped. All weights 1 gives
// exactly rivestSelect.
async function weightedSelect(seed, entries, count) {
  const ends = [];
  let total = 0n;
  for (const [, weight] of entries) {
    total += weight;
    ends.push(total);
  }
  const encoder = new TextEncoder();
  const seen = new Set();
  const out = [];
  for (let i = 1; out.length < count; i += 1) {
    const hex = await sha256hex(encoder.encode(`${seed},${i}`));
    const r = BigInt(`0x${hex}`) % total;
    let lo = 0;
    let hi = ends.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ends[mid] > r) hi = mid;
      else lo = mid + 1;
    }
    if (!seen.has(lo)) {
      seen.add(lo);
      out.push(entries[lo][0]);
    }
  }
  return out;
}

function show(box, ok, lines) {
  box.className = `verdict ${ok ? "ok" : "bad"}`;
  box.replaceChildren();
  const head = document.createElement("div");
  head.textContent = ok ? "浏览器独立验证通过" : "浏览器独立验证未通过";
  const list = document.createElement("ul");
  for (const line of lines) {
    const li = document.createElement("li");
    li.textContent = line;
    list.append(li);
  }
  box.append(head, list);
}

document.addEventListener("DOMContentLoaded", () => {
  const section = document.getElementById("browser-verify");
  const button = document.getElementById("verify-button");
  const out = document.getElementById("verify-result");
  if (!section || !button || !out) return;
  button.addEventListener("click", async () => {
    if (!window.crypto || !crypto.subtle) {
      show(out, false, ["此浏览器或连接（非HTTPS）不支持 Web Crypto，请使用命令行验证。"]);
      return;
    }
    out.className = "verdict warn";
    out.textContent = "正在下载名录库并计算……";
    try {
      const response = await fetch(section.dataset.poolUrl);
      const bytes = new Uint8Array(await response.arrayBuffer());
      const hash = await sha256hex(bytes);
      const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      const ids = text === "" ? [] : text.slice(0, -1).split("\n");
      const count = Number.parseInt(section.dataset.count, 10);
      const weighted = ids.length > 0 && ids[0].includes("\t");
      const selected = weighted
        ? await weightedSelect(
            section.dataset.seed,
            ids.map((line) => {
              const [id, weight] = line.split("\t");
              return [id, BigInt(weight)];
            }),
            count,
          )
        : await rivestSelect(section.dataset.seed, ids, count);
      // The published selection: the streamed selection file (one id a line, drawn order).
      const listed = await (await fetch(section.dataset.selectedUrl)).text();
      const published = listed === "" ? [] : listed.slice(0, -1).split("\n");
      const hashOk = hash === section.dataset.sha256;
      const same = selected.join(",") === published.join(",");
      show(out, hashOk && same, [
        `名录库 ${ids.length} 条，SHA-256 ${hash} ${hashOk ? "与公布值一致" : "与公布值不一致"}`,
        `按种子 ${section.dataset.seed} 抽取 ${count} 家：${same ? "与公布结果完全一致" : "与公布结果不一致"}`,
        `重新计算的结果：${selected.join("、")}`,
      ]);
    } catch (error) {
      show(out, false, [`验证出错：${error}`]);
    }
  });
});
