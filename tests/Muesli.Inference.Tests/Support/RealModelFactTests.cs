namespace Muesli.Inference.Tests.Support;

/// <summary>The reasons a real-model fact gives when it skips, and the shared files it reads.</summary>
public sealed class RealModelFactTests
{
    [Fact]
    public void Without_a_models_folder_the_reason_names_the_variable()
    {
        var reason = RealModels.WhyMissing(["whisper-tiny.en-int8"], null);

        Assert.Contains("MUESLI_MODELS", reason);
        Assert.Contains("whisper-tiny.en-int8", reason);
    }

    [Fact]
    public void A_folder_that_does_not_exist_is_named()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"muesli-no-models-{Guid.NewGuid():N}");

        Assert.Contains($"'{folder}', which does not exist", RealModels.WhyMissing(["whisper-tiny.en-int8"], folder));
    }

    [Fact]
    public void A_model_absent_from_the_folder_is_named()
    {
        var folder = Directory.CreateTempSubdirectory("muesli-models-").FullName;
        try
        {
            var reason = RealModels.WhyMissing(["whisper-tiny.en-int8"], folder);

            Assert.Equal($"needs the real model whisper-tiny.en-int8, which is not installed in '{folder}' (models/fetch.sh downloads it)", reason);
        }
        finally
        {
            Directory.Delete(folder);
        }
    }

    [Fact]
    public void The_shared_test_audio_is_found_from_the_test_binaries()
    {
        Assert.True(File.Exists(SharedFiles.PathOf("testdata/jfk.wav")));
    }
}
