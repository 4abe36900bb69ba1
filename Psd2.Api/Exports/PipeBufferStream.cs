using System.Buffers;
using System.IO.Pipelines;

namespace Psd2.Api.Exports;

/// <summary>
/// A write-only stream that copies each write into a <see cref="PipeWriter"/>'s buffer and never flushes it.
/// System.IO.Packaging and the Open XML writer write synchronously, and ASP.NET Core refuses synchronous writes to
/// a response; through this stream they only fill memory, and the exporter flushes the pipe asynchronously every
/// few hundred rows, which is where a slow client holds it back.
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

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer, offset, count);
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    /// <summary>Nothing: the owner of the pipe flushes it, asynchronously.</summary>
    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
