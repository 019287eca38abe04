import { useState } from 'preact/hooks';
import { api } from '../../api';
import { useLoad } from '../../hooks';
import { conversationsOf } from '../../view-models/conversations';

const text = (content: unknown) => (typeof content === 'string' ? content : JSON.stringify(content, null, 1));

/** Each agent's LLM calls (the chat export), loaded when opened: they are the largest part of a history. */
export function ConversationsSection({ simulationId }: { simulationId: string }) {
  const [open, setOpen] = useState(false);
  return (
    <section>
      <h2>Conversations</h2>
      {open ? <Conversations simulationId={simulationId} /> : <button name="conversations" onClick={() => setOpen(true)}>Show each agent's LLM calls</button>}
    </section>
  );
}

function Conversations({ simulationId }: { simulationId: string }) {
  const examples = useLoad((signal) => api.conversations(simulationId, signal), [simulationId]);
  if (examples.error) return <p class="error">{examples.error}</p>;
  if (!examples.data) return <p class="loading">Loading the LLM calls…</p>;
  const conversations = conversationsOf(examples.data);
  if (conversations.length === 0) return <p class="empty">No LLM call completed yet.</p>;
  return (
    <div data-testid="conversations">
      {conversations.map((c) => (
        <details key={c.agentId}>
          <summary>{c.agentId} {c.role && <small>({c.role})</small>}: {c.calls.length} calls</summary>
          {c.calls.map((call) => (
            <div class="call" key={call.seq}>
              <h4>Call {call.seq} · {call.tokens} tokens</h4>
              {call.messages.map((m, i) => <pre key={i} class={`msg msg-${m.role}`}><b>{m.role}</b> {text(m.content)}</pre>)}
              <pre class="msg msg-assistant"><b>answer</b> {text(call.answer.content)}{call.answer.tool_calls ? `\n${text(call.answer.tool_calls)}` : ''}</pre>
            </div>
          ))}
        </details>
      ))}
    </div>
  );
}
