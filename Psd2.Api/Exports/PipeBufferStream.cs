using System.Buffers;
using System.IO.Pipelines;

namespace Psd2.Api.Exports;

/// <summary>
/// A write-only stream over a <see cref="PipeWriter"/> (the response's) that also takes synchronous writes, which
/// ASP.NET Core refuses on a response: .NET's ZipArchive writes each entry's data descriptor and the central directory
/// synchronously, even inside SpreadCheetah's asynchronous calls. A synchronous write only fills the pipe's buffer (a
/// few bytes each); an asynchronous one fills it and flushes, which is where a slow client holds the export back.
/// </summary>
public sealed class PipeBufferStream(PipeWriter pipe) : Stream
{
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(ReadOnlySpan<byte> buffer) => pipe.Write(buffer);

    public override void Write(byte[] buffer, int offset, int count) => pipe.Write(buffer.AsSpan(offset, count));

    public override void WriteByte(byte value) => pipe.Write([value]);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        pipe.Write(buffer.Span);
        await pipe.FlushAsync(cancellationToken);
    }

    /// <summary>Nothing: what synchronous writes left in the buffer goes with the next asynchronous flush.</summary>
    public override void Flush()
    {
    }

    public override async Task FlushAsync(CancellationToken cancellationToken) => await pipe.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
