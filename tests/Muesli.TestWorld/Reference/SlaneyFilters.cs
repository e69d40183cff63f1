namespace Muesli.TestWorld.Reference;

/// <summary>librosa's <c>filters.mel(sr, n_fft, n_mels, fmin=0, fmax=sr/2, htk=False, norm='slaney')</c>, as [filter, bin].</summary>
public static class SlaneyFilters
{
    public static double HzToMel(double hz) => hz < 1000 ? hz * 3 / 200 : 15 + (Math.Log(hz / 1000) * 27 / Math.Log(6.4));

    public static double MelToHz(double mel) => mel < 15 ? mel * 200 / 3 : 1000 * Math.Exp((mel - 15) * Math.Log(6.4) / 27);

    public static double[,] Make(int filters, int nFft, int sampleRate)
    {
        var top = HzToMel(sampleRate / 2.0);
        var edges = new double[filters + 2];
        for (var i = 0; i < edges.Length; i++)
        {
            edges[i] = MelToHz(top * i / (filters + 1));
        }

        var bins = (nFft / 2) + 1;
        var weights = new double[filters, bins];
        for (var f = 0; f < filters; f++)
        {
            for (var k = 0; k < bins; k++)
            {
                var hz = k * (double)sampleRate / nFft;
                var up = (hz - edges[f]) / (edges[f + 1] - edges[f]);
                var down = (edges[f + 2] - hz) / (edges[f + 2] - edges[f + 1]);
                weights[f, k] = Math.Max(0, Math.Min(up, down)) * 2 / (edges[f + 2] - edges[f]);
            }
        }

        return weights;
    }
}
