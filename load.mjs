let ok = 0, bad = 0, errs = {};
const one = async (i) => {
  try {
    const stream = i % 3 === 0;
    const res = await fetch('http://127.0.0.1:42700/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: i % 5 === 0 ? 'mock-a' : 'gpt-4o', stream, messages: [{ role: 'user', content: 'hi "quoted" \u2028 line\nbreak ' + i }] }) });
    await res.text(); if (res.status === 200) ok++; else { bad++; errs[res.status] = (errs[res.status] || 0) + 1; }
  } catch (e) { bad++; errs[e.cause?.code ?? e.message] = (errs[e.cause?.code ?? e.message] || 0) + 1; }
};
let i = 0;
const worker = async () => { while (i < 3000) await one(i++); };
await Promise.all(Array.from({ length: 40 }, worker));
console.log({ ok, bad, errs });
