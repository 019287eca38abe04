import { Injectable } from '@nestjs/common';
import { EventData, FileReadReply, FileReadRequested } from '@swe-sim/contracts';
import { readWorkspaceFile } from '../docker';
import { ReaperService } from '../reaper/reaper.service';
import { SandboxRuntime } from '../sandbox/sandbox-runtime';
import { checkedWorkspacePath, fileApiError } from '../sandbox/workspace-files';
import { sha256Hex } from '../sandbox/workspace-manifest';

const INLINE_BYTES = 64 * 1024;
const MAX_READ_BYTES = 64 * 1024 * 1024;

/** FileReadRequested → the file's bytes (inline up to 64 KiB, else in the blob table), refusing paths and symlinks that leave the workspace. */
@Injectable()
export class ReadFileHandler {
  constructor(
    private readonly runtime: SandboxRuntime,
    private readonly reaper: ReaperService,
  ) {}

  async execute(data: EventData<typeof FileReadRequested>): Promise<FileReadReply> {
    await this.reaper.ready();
    const path = checkedWorkspacePath(data.path);
    const { workspacePath } = await this.runtime.loadLiveWithWorkspace(data.sandboxId);
    let bytes: Buffer;
    try {
      bytes = await readWorkspaceFile(workspacePath, path, MAX_READ_BYTES);
    } catch (err) {
      throw fileApiError(err, data.path);
    }
    const hash = sha256Hex(bytes);
    if (bytes.length > INLINE_BYTES) {
      await this.runtime.store.putBlob(bytes);
      return { sandboxId: data.sandboxId, path, hash, size: bytes.length };
    }
    const text = bytes.toString('utf8');
    const utf8 = Buffer.from(text, 'utf8').equals(bytes);
    return { sandboxId: data.sandboxId, path, hash, size: bytes.length, content: utf8 ? text : bytes.toString('base64'), encoding: utf8 ? 'utf8' : 'base64' };
  }
}
