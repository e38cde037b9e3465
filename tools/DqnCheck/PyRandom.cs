/// <summary>CPython's random.Random (MT19937, init_by_array seeding, random(), getrandbits, randint, uniform) — bit-exact.</summary>
public sealed class PyRandom
{
    private readonly uint[] mt = new uint[624];
    private int mti = 625;

    public PyRandom(ulong seed)
    {
        var key = new List<uint>();
        if (seed == 0) key.Add(0);
        while (seed != 0) { key.Add((uint)(seed & 0xffffffff)); seed >>= 32; }
        InitByArray(key.ToArray());
    }

    private void InitGenrand(uint s)
    {
        mt[0] = s;
        for (mti = 1; mti < 624; mti++)
            mt[mti] = 1812433253u * (mt[mti - 1] ^ (mt[mti - 1] >> 30)) + (uint)mti;
    }

    private void InitByArray(uint[] initKey)
    {
        InitGenrand(19650218u);
        int i = 1, j = 0, keyLength = initKey.Length;
        for (var k = Math.Max(624, keyLength); k > 0; k--)
        {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1664525u)) + initKey[j] + (uint)j;
            i++; j++;
            if (i >= 624) { mt[0] = mt[623]; i = 1; }
            if (j >= keyLength) j = 0;
        }
        for (var k = 623; k > 0; k--)
        {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1566083941u)) - (uint)i;
            i++;
            if (i >= 624) { mt[0] = mt[623]; i = 1; }
        }
        mt[0] = 0x80000000u;
    }

    public uint NextUInt32()
    {
        uint y;
        if (mti >= 624)
        {
            int kk;
            for (kk = 0; kk < 624 - 397; kk++)
            {
                y = (mt[kk] & 0x80000000u) | (mt[kk + 1] & 0x7fffffffu);
                mt[kk] = mt[kk + 397] ^ (y >> 1) ^ ((y & 1u) != 0 ? 0x9908b0dfu : 0u);
            }
            for (; kk < 623; kk++)
            {
                y = (mt[kk] & 0x80000000u) | (mt[kk + 1] & 0x7fffffffu);
                mt[kk] = mt[kk + (397 - 624)] ^ (y >> 1) ^ ((y & 1u) != 0 ? 0x9908b0dfu : 0u);
            }
            y = (mt[623] & 0x80000000u) | (mt[0] & 0x7fffffffu);
            mt[623] = mt[396] ^ (y >> 1) ^ ((y & 1u) != 0 ? 0x9908b0dfu : 0u);
            mti = 0;
        }
        y = mt[mti++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680u;
        y ^= (y << 15) & 0xefc60000u;
        y ^= y >> 18;
        return y;
    }

    public double Random()
    {
        uint a = NextUInt32() >> 5, b = NextUInt32() >> 6;
        return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
    }

    public uint GetRandBits(int k) => NextUInt32() >> (32 - k); // k ≤ 32

    public int RandBelow(int n)
    {
        var k = 32 - System.Numerics.BitOperations.LeadingZeroCount((uint)n);
        var r = GetRandBits(k);
        while (r >= n) r = GetRandBits(k);
        return (int)r;
    }

    public int RandInt(int a, int b) => a + RandBelow(b - a + 1);

    public double Uniform(double lo, double hi) => lo + (hi - lo) * Random();
}
