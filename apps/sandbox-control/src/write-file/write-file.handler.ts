import { Injectable } from '@nestjs/common';
import { EventData, FileWriteRequested } from '@swe-sim/contracts';
import { StoredEvent } from '@swe-sim/event-store';
import { writeWorkspaceFile } from '../docker';
import { ReaperService } from '../reaper/reaper.service';
import { SandboxRuntime } from '../sandbox/sandbox-runtime';
import { SandboxRequestError } from '../sandbox/sandbox.errors';
import { checkedWorkspacePath, fileApiError } from '../sandbox/workspace-files';

export interface FileWriteReply {
  sandboxId: string;
  path: string;
  hash: string;
  size: number;
}

/** FileWriteRequested → the file in the workspace (no escape: paths and symlinks checked), content in blobs, FileWritten. */
@Injectable()
export class WriteFileHandler {
  constructor(
    private readonly runtime: SandboxRuntime,
    private readonly reaper: ReaperService,
  ) {}

  async execute(data: EventData<typeof FileWriteRequested>, request: StoredEvent): Promise<FileWriteReply> {
    await this.reaper.ready();
    const { runtime } = this;
    const path = checkedWorkspacePath(data.path);
    const { live, workspacePath } = await runtime.loadLiveWithWorkspace(data.sandboxId);
    let bytes: Buffer;
    let hash: string;
    if (data.content !== undefined) {
      bytes = Buffer.from(data.content, 'utf8');
      hash = await runtime.store.putBlob(bytes);
    } else {
      const blob = await runtime.store.getBlob(data.hash!);
      if (!blob) throw new SandboxRequestError('SANDBOX_BLOB_NOT_FOUND', `no blob ${data.hash}: put the content in the blob table first`);
      bytes = blob;
      hash = data.hash!;
    }
    await runtime.withWorkspace(live.workspaceId, async () => {
      try {
        await writeWorkspaceFile(workspacePath, path, bytes);
      } catch (err) {
        throw fileApiError(err, data.path);
      }
      await runtime.record(
        data.sandboxId,
        { type: 'RecordFileWrite', data: { sandboxId: data.sandboxId, workspaceId: live.workspaceId, requestId: request.id, path, hash, size: bytes.length } },
        {
          metadata: runtime.metadataFor(request),
          alsoInTx: async (tx) => {
            await runtime.repo.lockWorkspace(tx, live.workspaceId);
            await runtime.repo.applyChanges(tx, live.workspaceId, [{ path, hash, size: bytes.length }]);
          },
        },
      );
    });
    return { sandboxId: data.sandboxId, path, hash, size: bytes.length };
  }
}
