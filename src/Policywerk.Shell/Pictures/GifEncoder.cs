using ImageMagick;

namespace Policywerk.Shell.Pictures;

/// <summary>
/// Animated GIFs from drawn frames, fast: one palette for the whole animation, computed once; each frame after the
/// first stores only the rectangle that changed, with the pixels that show as before inside it transparent, so it is
/// drawn over the previous frame (disposal "none"). The palette is ImageMagick's quantization of the colours the
/// animation uses, weighted by how often they are drawn; everything else — mapping pixels to it, finding what
/// changed, LZW compression and the GIF89a blocks — is the few lines below, because ImageMagick quantizes every frame
/// anew on writing, which took most of a lesson's time.
/// </summary>
public static class GifEncoder
{
    /// <summary>The palette index of "unchanged: show the previous frame here".</summary>
    private const byte Transparent = 255;

    /// <summary>At most this many pixels stand for the animation's colours when its palette is computed.</summary>
    private const int PaletteSample = 200_000;

    /// <summary>The GIF of <paramref name="frames"/> (all of one size); see <see cref="Encode(int, int, int, Action{int, byte[]}, IReadOnlyList{uint})"/>.</summary>
    public static byte[] Encode(IReadOnlyList<Frame> frames, IReadOnlyList<uint> delaysCs)
    {
        if (frames.Count == 0) throw new ArgumentException("a GIF needs at least one frame", nameof(frames));
        if (frames.Any(f => f.Width != frames[0].Width || f.Height != frames[0].Height))
            throw new ArgumentException("every frame must have the same size", nameof(frames));
        return Encode(frames.Count, frames[0].Width, frames[0].Height, (i, pixels) => frames[i].Rgba.CopyTo(pixels, 0), delaysCs);
    }

    /// <summary>
    /// The GIF of <paramref name="count"/> frames of <paramref name="width"/>×<paramref name="height"/>, frame i shown for
    /// <paramref name="delaysCs"/>[i] hundredths of a second, looping forever. <paramref name="draw"/> writes frame i's
    /// RGBA pixels into a buffer; it is called twice per frame (once to gather the colours, once to encode), by a few
    /// workers at a time, each going through its share of the frames in order with two buffers of its own — so no more
    /// than a few frames are ever held. The bytes do not depend on how many cores there are.
    /// </summary>
    public static byte[] Encode(int count, int width, int height, Action<int, byte[]> draw, IReadOnlyList<uint> delaysCs)
    {
        if (count == 0) throw new ArgumentException("a GIF needs at least one frame", nameof(count));
        if (delaysCs.Count != count) throw new ArgumentException("one delay per frame", nameof(delaysCs));

        var colours = new Dictionary<int, long>();
        foreach (var local in InOrder(count, width, height, draw, (_, current, previous) => Count(current, previous)))
            foreach (var (c, n) in local.SelectMany(x => x.All)) colours[c] = colours.GetValueOrDefault(c) + n;
        var palette = PaletteOf(colours);
        var index = new byte[1 << 24]; // 0xRRGGBB → palette entry, for the colours drawn
        foreach (var c in colours.Keys) index[c] = Nearest(palette, c);
        var blocks = InOrder(count, width, height, draw, (i, current, previous) => FrameBlock(current, previous, width, height, index, delaysCs[i]))
            .SelectMany(x => x).ToArray();

        using var gif = new MemoryStream();
        gif.Write("GIF89a"u8);
        WriteUInt16(gif, width);
        WriteUInt16(gif, height);
        gif.WriteByte(0xF7); // a global colour table of 256 entries, 8 bits per primary
        gif.WriteByte(Transparent);
        gif.WriteByte(0);
        for (var i = 0; i < 256; i++)
        {
            var c = i < palette.Length ? palette[i] : 0;
            gif.WriteByte((byte)(c >> 16));
            gif.WriteByte((byte)(c >> 8));
            gif.WriteByte((byte)c);
        }
        gif.Write([0x21, 0xFF, 0x0B, .. "NETSCAPE2.0"u8, 0x03, 0x01, 0x00, 0x00, 0x00]); // loop forever
        foreach (var block in blocks) gif.Write(block);
        gif.WriteByte(0x3B);
        return gif.ToArray();
    }

    /// <summary>
    /// <paramref name="work"/>(i, frame i, frame i − 1 or null) for every frame, the frames split into one contiguous
    /// share per core: a worker draws the frame before its share, then each of its frames in turn into its two buffers.
    /// The results come back per share, in frame order.
    /// </summary>
    private static T[][] InOrder<T>(int count, int width, int height, Action<int, byte[]> draw, Func<int, byte[], byte[]?, T> work)
    {
        var shares = Math.Min(count, Environment.ProcessorCount);
        var results = new T[shares][];
        Parallel.For(0, shares, s =>
        {
            int first = s * count / shares, end = (s + 1) * count / shares;
            var (current, previous) = (Panels.DrawnPictures.Buffer(width, height), Panels.DrawnPictures.Buffer(width, height));
            if (first > 0) draw(first - 1, previous);
            var share = new T[end - first];
            for (var i = first; i < end; i++)
            {
                draw(i, current);
                share[i - first] = work(i, current, i == 0 ? null : previous);
                (current, previous) = (previous, current);
            }
            results[s] = share;
        });
        return results;
    }

    /// <summary>How often each colour (0xRRGGBB) is drawn in a frame: every pixel of the first, every changed pixel after.</summary>
    private static IntTable Count(byte[] frame, byte[]? previous)
    {
        var counts = new IntTable(12);
        var current = Pixels(frame);
        var before = previous is null ? default : Pixels(previous);
        for (var p = 0; p < current.Length; p++)
            if (previous is null || current[p] != before[p]) counts.Add(Rgb(current[p]), 1);
        return counts;
    }

    /// <summary>At most 255 colours: all of them if there are no more, else ImageMagick's quantization (no dithering) of
    /// a sample in which each colour appears in proportion to how often it is drawn (at least once).</summary>
    private static int[] PaletteOf(Dictionary<int, long> colours)
    {
        var ordered = colours.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key).ToArray();
        if (ordered.Length <= Transparent) return ordered.Select(kv => kv.Key).ToArray();
        var total = ordered.Sum(kv => kv.Value);
        var sample = new List<byte>();
        foreach (var (c, n) in ordered)
        {
            var copies = Math.Max(1, (int)(n * PaletteSample / total));
            for (var k = 0; k < copies; k++) sample.AddRange([(byte)(c >> 16), (byte)(c >> 8), (byte)c]);
        }
        var pixels = sample.Count / 3;
        using var image = new MagickImage(sample.ToArray(), new PixelReadSettings((uint)pixels, 1, StorageType.Char, PixelMapping.RGB));
        image.Quantize(new QuantizeSettings { Colors = Transparent, DitherMethod = DitherMethod.No });
        return image.Histogram().Keys.Select(c => c.R << 16 | c.G << 8 | c.B)
            .OrderByDescending(c => colours.GetValueOrDefault(c)).ThenBy(c => c).ToArray();
    }

    /// <summary>The palette entry closest to <paramref name="colour"/> in RGB distance (the first of equals).</summary>
    private static byte Nearest(int[] palette, int colour)
    {
        int r = colour >> 16 & 0xFF, g = colour >> 8 & 0xFF, b = colour & 0xFF;
        var (best, bestDistance) = (0, int.MaxValue);
        for (var i = 0; i < palette.Length; i++)
        {
            int dr = (palette[i] >> 16 & 0xFF) - r, dg = (palette[i] >> 8 & 0xFF) - g, db = (palette[i] & 0xFF) - b;
            var distance = dr * dr + dg * dg + db * db;
            if (distance < bestDistance) (best, bestDistance) = (i, distance);
        }
        return (byte)best;
    }

    /// <summary>One frame's graphic control extension, image descriptor and LZW data: the rectangle that differs from
    /// <paramref name="previous"/> (the whole frame for the first), pixels that show as before transparent.</summary>
    private static byte[] FrameBlock(byte[] frame, byte[]? previous, int width, int height, byte[] index, uint delayCs)
    {
        var (left, top, right, bottom) = (0, 0, width - 1, height - 1);
        if (previous is not null) (left, top, right, bottom) = Changed(frame, previous, width, height, index);
        int w = right - left + 1, h = bottom - top + 1;
        var indices = new byte[w * h];
        var current = Pixels(frame);
        var before = previous is null ? default : Pixels(previous);
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
            {
                var p = (top + y) * width + left + x;
                indices[y * w + x] = previous is not null && Shown(current[p], before[p], index) ? Transparent : index[Rgb(current[p])];
            }
        using var block = new MemoryStream();
        block.Write([0x21, 0xF9, 0x04, (byte)(previous is null ? 0x04 : 0x05)]); // disposal "none", transparency after the first
        WriteUInt16(block, (int)Math.Min(delayCs, ushort.MaxValue));
        block.WriteByte(Transparent);
        block.WriteByte(0);
        block.WriteByte(0x2C);
        WriteUInt16(block, left);
        WriteUInt16(block, top);
        WriteUInt16(block, w);
        WriteUInt16(block, h);
        block.WriteByte(0); // no local colour table, not interlaced
        Lzw(block, indices);
        return block.ToArray();
    }

    /// <summary>The smallest rectangle holding every pixel that shows otherwise than in the previous frame (one pixel if
    /// none does).</summary>
    private static (int Left, int Top, int Right, int Bottom) Changed(byte[] frame, byte[] previous, int width, int height, byte[] index)
    {
        int left = width, top = height, right = -1, bottom = -1;
        var current = Pixels(frame);
        var before = Pixels(previous);
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                if (!Shown(current[y * width + x], before[y * width + x], index))
                {
                    if (x < left) left = x;
                    if (x > right) right = x;
                    if (y < top) top = y;
                    bottom = y;
                }
        return right < 0 ? (0, 0, 0, 0) : (left, top, right, bottom);
    }

    /// <summary>A pixel that was <paramref name="before"/> in the previous frame already shows as <paramref name="now"/>
    /// when both map to the same palette entry (the previous frame shows its pixel through that entry): it can stay
    /// transparent.</summary>
    private static bool Shown(uint now, uint before, byte[] index) =>
        now == before || index[Rgb(now)] == index[Rgb(before)];

    /// <summary>
    /// GIF's variable-length LZW of 8-bit indices (minimum code size 8): a clear code first, codes growing from 9 to
    /// 12 bits, a clear code whenever the table is full, the end code last; packed least significant bit first into
    /// sub-blocks of at most 255 bytes.
    /// </summary>
    private static void Lzw(Stream output, byte[] indices)
    {
        const int clear = 256, end = 257, maxCode = 4096;
        output.WriteByte(8);
        var table = new IntTable(13);
        var (next, size) = (end + 1, 9);
        var bits = new BitPacker(output);
        bits.Write(clear, size);
        var prefix = indices.Length > 0 ? indices[0] : 0;
        for (var i = 1; i < indices.Length; i++)
        {
            var key = prefix << 8 | indices[i];
            if (table.TryGet(key, out var code))
            {
                prefix = code;
                continue;
            }
            bits.Write(prefix, size);
            if (next < maxCode)
            {
                table.Set(key, next++);
                if (next > 1 << size && size < 12) size++;
            }
            else
            {
                bits.Write(clear, size);
                table.Clear();
                (next, size) = (end + 1, 9);
            }
            prefix = indices[i];
        }
        bits.Write(prefix, size);
        bits.Write(end, size);
        bits.Flush();
        output.WriteByte(0);
    }

    /// <summary>
    /// An int → int map in an open-addressing hash table (key + 1 stored, 0 an empty slot, linear probing from the
    /// key's Fibonacci hash) that doubles at half full. The encoder's two tables are small — a frame's few thousand
    /// colours with their counts, LZW's at most 3838 strings between clears in 2^13 slots, so that one never grows — and
    /// stay in cache, where a Dictionary's lookups cost several times as much.
    /// </summary>
    private sealed class IntTable(int bits)
    {
        private int[] _keys = new int[1 << bits];
        private int[] _values = new int[1 << bits];
        private int _shift = 32 - bits, _used;

        public bool TryGet(int key, out int value)
        {
            var slot = Find(key);
            value = _values[slot];
            return _keys[slot] != 0;
        }

        /// <summary>value(key) ← <paramref name="value"/>.</summary>
        public void Set(int key, int value) => Put(key, value, add: false);

        /// <summary>value(key) ← value(key) + <paramref name="n"/> (0 for a key not in the table).</summary>
        public void Add(int key, int n) => Put(key, n, add: true);

        public void Clear()
        {
            Array.Clear(_keys);
            _used = 0;
        }

        /// <summary>Every key with its value.</summary>
        public IEnumerable<(int Key, int Value)> All
        {
            get
            {
                for (var slot = 0; slot < _keys.Length; slot++)
                    if (_keys[slot] != 0) yield return (_keys[slot] - 1, _values[slot]);
            }
        }

        private void Put(int key, int value, bool add)
        {
            var slot = Find(key);
            if (_keys[slot] != 0)
            {
                _values[slot] = add ? _values[slot] + value : value;
                return;
            }
            (_keys[slot], _values[slot]) = (key + 1, value);
            if (++_used * 2 > _keys.Length) Grow();
        }

        private void Grow()
        {
            var all = All.ToArray();
            (_keys, _values, _shift, _used) = (new int[_keys.Length * 2], new int[_keys.Length * 2], _shift - 1, 0);
            foreach (var (key, value) in all) Put(key, value, add: false);
        }

        /// <summary>The slot holding <paramref name="key"/>, or the empty slot where it goes.</summary>
        private int Find(int key)
        {
            var mask = _keys.Length - 1;
            var slot = (int)((uint)key * 0x9E3779B1u >> _shift);
            while (_keys[slot] != 0 && _keys[slot] != key + 1) slot = (slot + 1) & mask;
            return slot;
        }
    }

    /// <summary>Codes packed least significant bit first into GIF sub-blocks.</summary>
    private sealed class BitPacker(Stream output)
    {
        private readonly byte[] _block = new byte[255];
        private int _count, _bits;
        private long _buffer;

        public void Write(int code, int size)
        {
            _buffer |= (long)code << _bits;
            _bits += size;
            while (_bits >= 8)
            {
                Add((byte)_buffer);
                _buffer >>= 8;
                _bits -= 8;
            }
        }

        public void Flush()
        {
            if (_bits > 0) Add((byte)_buffer);
            (_buffer, _bits) = (0, 0);
            if (_count > 0) Emit();
        }

        private void Add(byte b)
        {
            _block[_count++] = b;
            if (_count == _block.Length) Emit();
        }

        private void Emit()
        {
            output.WriteByte((byte)_count);
            output.Write(_block, 0, _count);
            _count = 0;
        }
    }

    /// <summary>The frame's pixels as 32-bit words (R, G, B, A in memory order); frames are opaque, so two pixels look the
    /// same exactly when their words are equal.</summary>
    private static ReadOnlySpan<uint> Pixels(byte[] rgba) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(rgba);

    /// <summary>0xRRGGBB of a pixel word.</summary>
    private static int Rgb(uint pixel) => (int)((pixel & 0xFF) << 16 | (pixel >> 8 & 0xFF) << 8 | (pixel >> 16 & 0xFF));

    private static void WriteUInt16(Stream s, int value)
    {
        s.WriteByte((byte)value);
        s.WriteByte((byte)(value >> 8));
    }
}
