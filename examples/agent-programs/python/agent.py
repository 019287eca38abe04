#!/usr/bin/env python3
"""A swe-sim agent program in Python, standard library only.

It reads its task from $SWE_SIM_TASK_FILE, talks to the OpenAI-compatible endpoint at
$OPENAI_BASE_URL (the only address the sandbox can reach), and works in the feature's worktree
(its current directory) with four tools: write_file, read_file, run_command and finish.
It ends when the model answers without a tool call or calls finish: exit 0 hands the work to
review and integration. Protocol: docs/agent-programs.md.
"""
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

BASE_URL = os.environ['OPENAI_BASE_URL'].rstrip('/')
API_KEY = os.environ.get('OPENAI_API_KEY', '')
MAX_TURNS = int(os.environ.get('AGENT_MAX_TURNS', '12'))


def tool(name, description, properties, required):
    return {'type': 'function', 'function': {'name': name, 'description': description,
            'parameters': {'type': 'object', 'properties': properties, 'required': required}}}


PATH = {'type': 'string', 'description': 'path relative to the worktree'}
TOOLS = [
    tool('write_file', 'Create or replace a file.', {'path': PATH, 'content': {'type': 'string'}}, ['path', 'content']),
    tool('read_file', 'Read a file.', {'path': PATH}, ['path']),
    tool('run_command', 'Run a shell command in the worktree.', {'command': {'type': 'string'}}, ['command']),
    tool('finish', 'The feature is done.', {'summary': {'type': 'string'}}, []),
]


class BudgetExhausted(Exception):
    pass


def chat(messages):
    body = json.dumps({'model': 'swe-sim', 'messages': messages, 'tools': TOOLS}).encode()
    for _ in range(30):
        request = urllib.request.Request(BASE_URL + '/chat/completions', data=body, method='POST',
                                         headers={'content-type': 'application/json', 'authorization': 'Bearer ' + API_KEY})
        try:
            with urllib.request.urlopen(request, timeout=600) as response:
                return json.load(response)['choices'][0]['message']
        except urllib.error.HTTPError as e:
            error = json.loads(e.read() or b'{}').get('error', {})
            if error.get('code') == 'budget_exhausted':
                raise BudgetExhausted(error.get('message'))
            if e.code == 429:  # one call at a time: wait for the one in flight
                time.sleep(0.5)
                continue
            raise
    raise RuntimeError('the endpoint kept answering 429')


def run_tool(name, args):
    if name == 'write_file':
        os.makedirs(os.path.dirname(args['path']) or '.', exist_ok=True)
        with open(args['path'], 'w') as f:
            f.write(args['content'])
        return 'wrote %s (%d bytes)' % (args['path'], len(args['content']))
    if name == 'read_file':
        with open(args['path']) as f:
            return f.read()[:16000]
    if name == 'run_command':
        r = subprocess.run(args['command'], shell=True, capture_output=True, text=True, timeout=120)
        return 'exit code %d\n%s%s' % (r.returncode, r.stdout[-8000:], r.stderr[-8000:])
    if name == 'finish':
        return 'finished'
    return 'unknown tool ' + name


def main():
    with open(os.environ['SWE_SIM_TASK_FILE']) as f:
        task = json.load(f)
    feature = task['feature']
    notes = open(os.environ['SWE_SIM_NOTES_FILE']).read().strip()
    system = ('You are an agent program working on feature %s of project %s.\n%s\n%s\nAcceptance criteria:\n- %s\n'
              'Tests: %s (run them with: %s).\nUse the tools to write the code, then call finish.'
              % (feature['id'], task['project']['name'], feature['title'], feature['description'],
                 '\n- '.join(feature['acceptanceCriteria']), ' '.join(feature['tests']), task['testCommand']))
    user = 'Implement the feature.' + ('\nYour partners said:\n' + notes if notes else '')
    messages = [{'role': 'system', 'content': system}, {'role': 'user', 'content': user}]
    for _ in range(MAX_TURNS):
        message = chat(messages)
        messages.append({k: v for k, v in message.items() if k in ('role', 'content', 'tool_calls')})
        calls = message.get('tool_calls') or []
        if not calls:
            return 0
        for call in calls:
            name = call['function']['name']
            try:
                output = run_tool(name, json.loads(call['function']['arguments'] or '{}'))
            except Exception as e:  # the model reads the error and goes on
                output = 'error: %s' % e
            messages.append({'role': 'tool', 'tool_call_id': call['id'], 'content': output})
            if name == 'finish':
                return 0
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except BudgetExhausted as e:
        print('budget exhausted: %s' % e, file=sys.stderr)
        sys.exit(3)
