namespace Muesli.Inference.Features;

/// <summary>Feature-major features as an encoder takes them: <c>Data[f * Frames + t]</c>, i.e. [1, F, T].</summary>
public sealed record FeatureMatrix(float[] Data, int Features, int Frames)
{
    public float this[int feature, int frame] => Data[(feature * Frames) + frame];

    /// <summary>The same values laid out [T, F], as Sortformer and the speaker-embedding models take them.</summary>
    public TimeMajorFeatures ToTimeMajor()
    {
        var data = new float[Data.Length];
        for (var f = 0; f < Features; f++)
        {
            var row = Data.AsSpan(f * Frames, Frames);
            for (var t = 0; t < Frames; t++)
            {
                data[(t * Features) + f] = row[t];
            }
        }

        return new TimeMajorFeatures(data, Frames, Features);
    }
}
