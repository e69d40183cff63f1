namespace Muesli.TestWorld;

public static class Program
{
    public static int Main(string[] args) => throw new NotImplementedException();
}
