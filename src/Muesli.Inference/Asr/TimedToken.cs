namespace Muesli.Inference.Asr;

/// <summary>A decoded token and the encoder frames it spans (first and last frame of its run, inclusive).</summary>
public sealed record TimedToken(int Id, int FirstFrame, int LastFrame);
